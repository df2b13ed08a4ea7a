// `bashbrew remote arches [--json] IMAGE...` (spec §3.12): resolve each reference against its registry and list its
// manifests by bashbrew architecture.
import { architectures, descriptorJSON, resolve } from '../../registry/arches.js';
import { RegistryClient } from '../../registry/client.js';
import { type CommandContext } from '../app.js';

/** JSON as Go's json.Marshal writes it: compact, with <, >, &, U+2028 and U+2029 escaped. */
function goJSON(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export default async function remoteArches(ctx: CommandContext): Promise<void> {
  const { args, flags, out, env } = ctx;
  if (args.length < 1) throw new Error('expected at least one argument');
  const json = flags.bool('json');
  const client = new RegistryClient({ env });
  for (const arg of args) {
    let image;
    try {
      image = await resolve(client, arg);
    } catch (err) {
      throw new Error(`failed to resolve ${arg}: ${message(err)}`);
    }
    let arches;
    try {
      arches = await architectures(client, image);
    } catch (err) {
      throw new Error(`failed to query arches of ${arg}: ${message(err)}`);
    }
    const sorted = [...arches.keys()].sort();
    if (json) {
      const archesJSON: Record<string, unknown[]> = {};
      for (const arch of sorted) archesJSON[arch] = arches.get(arch)!.map(descriptorJSON);
      out.out(`${goJSON({ ref: image.imageRef, desc: descriptorJSON(image.desc), arches: archesJSON })}\n`);
    } else {
      out.out(`${image.imageRef} -> ${image.desc.digest}\n`);
      for (const arch of sorted) for (const desc of arches.get(arch)!) out.out(`  ${arch} -> ${desc.digest}\n`);
    }
    out.flush();
  }
}
