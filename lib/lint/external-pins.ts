// External pins as `from-architectures` reads them (official-images `.external-pins/`, spec ecosystem §1.5 and
// §7.1), and the architectures of a pinned image, asked of its registry once per lint run (naughty-from.sh's
// `bashbrew remote arches --json REF@DIGEST`, which lib/registry implements).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Limiter, limiter } from '../concurrency.js';
import { architectures, resolve } from '../registry/arches.js';
import { RegistryClient, RegistryError } from '../registry/client.js';
import { parseReference } from '../registry/reference.js';
import { type RuleContext } from './types.js';

/**
 * The pin file of an external reference, relative to the pins directory: its FIRST ':' replaced by '___', exactly
 * as naughty-from.sh (`${from/:/___}`) and `.external-pins/file.sh` name it. For `repo:tag` that is the tag's colon;
 * a registry with a port (`host:5000/repo:tag`) therefore gets `host___5000/repo:tag`, which is what the CI would
 * look for too (§7.1 assumes pinned hosts have no port), so we do not "fix" it and disagree with the CI.
 */
export function pinFileName(ref: string): string {
  return ref.replace(':', '___');
}

/**
 * What a pin must hold: one sha256 digest, lowercase hex. The CI only accepts `*@sha256:*` after appending the pin,
 * and distribution digests are lowercase; anything else (a tag, a truncated digest, two lines) is a broken pin.
 */
const PIN_DIGEST = /^sha256:[0-9a-f]{64}$/;

export type Pin =
  /** No pin file, or an empty one (the CI's `[ -s FILE ]`): the external FROM is not allowed. */
  | { kind: 'missing'; file: string }
  | { kind: 'malformed'; file: string; content: string }
  | { kind: 'pinned'; file: string; digest: string };

export function readPin(pinsDir: string, ref: string): Pin {
  const file = join(pinsDir, pinFileName(ref));
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch {
    // absent, a directory, unreadable: not a usable pin, which is what the CI's `-s` test concludes too
    return { kind: 'missing', file };
  }
  if (raw === '') return { kind: 'missing', file };
  // `$(< FILE)` in the CI drops trailing newlines, nothing else
  const content = raw.replace(/\n+$/, '');
  if (!PIN_DIGEST.test(content)) return { kind: 'malformed', file, content };
  return { kind: 'pinned', file, digest: content };
}

/** A short description of a malformed pin's content for a finding (first line, bounded). */
export function describePinContent(content: string): string {
  const lines = content.split('\n');
  let first = lines[0]!;
  if (first.length > 80) first = `${first.slice(0, 80)}…`;
  return `${JSON.stringify(first)}${lines.length > 1 ? ` (and ${lines.length - 1} more line${lines.length === 2 ? '' : 's'})` : ''}`;
}

export type PinnedArches =
  /** The bashbrew arches the pinned image has a manifest for. */
  | { kind: 'arches'; arches: ReadonlySet<string> }
  /**
   * The registry answered that the pinned image (or one of its manifests/configs) does not exist, or the pinned
   * reference is not a valid one: the pin is wrong, a finding (the CI also counts a failed query as "no arches").
   */
  | { kind: 'broken'; reason: string }
  /**
   * The registry could not be asked (offline, DNS, refused, timeouts, 5xx/429 after retries, no credentials):
   * nothing is known about the pin, so it is not a violation (a deliberate difference from the CI, which treats
   * this as "no arches"); a warning says the check was skipped.
   */
  | { kind: 'unchecked'; reason: string };

/** Lookups in flight at once: a handful of pins per run, but `--all` may meet them all in one target. */
const MAX_CONCURRENT_LOOKUPS = 6;

interface RunState {
  client: RegistryClient | undefined;
  lookups: Map<string, Promise<PinnedArches>>;
  limit: Limiter;
}

/** Per lint run (the RuleContext object is one run's): the client, the cached lookups, the concurrency bound. */
const runs = new WeakMap<RuleContext, RunState>();

function runState(ctx: RuleContext): RunState {
  let state = runs.get(ctx);
  if (state === undefined) runs.set(ctx, state = { client: undefined, lookups: new Map(), limit: limiter(MAX_CONCURRENT_LOOKUPS) });
  return state;
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
}

/**
 * The arches of `from@digest` (from its registry, with the lint run's environment: DOCKER_CONFIG credentials,
 * DOCKERHUB_PUBLIC_PROXY). Started at most once per run and reference; concurrent callers share the promise, so an
 * unreachable registry is warned about once per pinned image. Never rejects.
 */
export function pinnedArches(ctx: RuleContext, from: string, digest: string): Promise<PinnedArches> {
  const state = runState(ctx);
  const pinned = `${from}@${digest}`;
  let lookup = state.lookups.get(pinned);
  if (lookup === undefined) {
    lookup = state.limit(() => queryArches(ctx, state, pinned));
    state.lookups.set(pinned, lookup);
  }
  return lookup;
}

async function queryArches(ctx: RuleContext, state: RunState, pinned: string): Promise<PinnedArches> {
  try {
    // parsed here first so that a reference the registry code cannot even form is told apart from a failed query
    parseReference(pinned);
  } catch (err) {
    return { kind: 'broken', reason: `${JSON.stringify(pinned)} is not a valid image reference (${firstLine(err)})` };
  }
  state.client ??= new RegistryClient({ env: ctx.env });
  const client = state.client;
  try {
    const image = await resolve(client, pinned);
    return { kind: 'arches', arches: new Set((await architectures(client, image)).keys()) };
  } catch (err) {
    // 404: the registry is there and says the pinned digest (or a manifest/config it names) does not exist
    if (err instanceof RegistryError && err.status === 404) {
      return { kind: 'broken', reason: `not found in its registry: ${firstLine(err)}` };
    }
    ctx.warn(`from-architectures: skipped the pinned external image ${pinned} (not counted as a violation): ` +
      `its registry could not be queried: ${firstLine(err)}`);
    return { kind: 'unchecked', reason: firstLine(err) };
  }
}
