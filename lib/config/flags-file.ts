// The `flags` file under --config (spec: commands-and-builds.md §1.3): RFC 2822 paragraphs whose
// values become default flag values, per command. Pure: text in, data out.
import { lexParagraphs } from '../manifest/paragraphs.js';
import { trimStripSet } from '../manifest/gostr.js';

/** The keys of a flags-file paragraph that bashbrew understands. */
export interface FlagsConfigEntry {
  Library: string;
  Cache: string;
  Debug: string;
  Unique: string;
  BuildOrder: string;
  Pull: string;
  Arch: string;
  Namespace: string;
  Constraints: string[];
  ExclusiveConstraints: string;
  ApplyConstraints: string;
  ArchNamespaces: string[];
}

const SCALARS = ['Library', 'Cache', 'Debug', 'Unique', 'BuildOrder', 'Pull', 'Arch', 'Namespace',
  'ExclusiveConstraints', 'ApplyConstraints'] as const;
const LISTS = ['Constraints', 'ArchNamespaces'] as const;

export function emptyFlagsConfigEntry(): FlagsConfigEntry {
  return { Library: '', Cache: '', Debug: '', Unique: '', BuildOrder: '', Pull: '', Arch: '', Namespace: '',
    Constraints: [], ExclusiveConstraints: '', ApplyConstraints: '', ArchNamespaces: [] };
}

/** Overlays `src` on `dst`: non-empty values win, lists replace whole lists. */
export function applyFlagsConfigEntry(dst: FlagsConfigEntry, src: FlagsConfigEntry): FlagsConfigEntry {
  const out = { ...dst };
  for (const k of SCALARS) if (src[k] !== '') out[k] = src[k];
  for (const k of LISTS) if (src[k].length > 0) out[k] = src[k].slice();
  return out;
}

/** Per command name ("" = every command) the merged configuration. */
export type FlagsConfig = Map<string, FlagsConfigEntry>;

export class FlagsFileError extends Error {}

function splitList(v: string): string[] {
  return trimStripSet(v).split(',').map(trimStripSet);
}

export function parseFlagsConfig(text: string): FlagsConfig {
  const config: FlagsConfig = new Map();
  const { paragraphs, error } = lexParagraphs(text);
  // a file that does not parse is fatal as a whole
  if (error !== null) throw new FlagsFileError(error.message);
  for (const para of paragraphs) {
    const entry = emptyFlagsConfigEntry();
    for (const k of SCALARS) entry[k] = para.values.get(k) ?? '';
    for (const k of LISTS) {
      const v = para.values.get(k);
      if (v !== undefined) entry[k] = splitList(v);
    }
    const commandsRaw = para.values.get('Commands');
    const commands = commandsRaw === undefined ? [''] : splitList(commandsRaw);
    for (const command of commands) {
      config.set(command, applyFlagsConfigEntry(config.get(command) ?? emptyFlagsConfigEntry(), entry));
    }
  }
  return config;
}

/** The configuration a command sees: the general paragraph overlaid with the command's own. */
export function configForCommand(config: FlagsConfig, command: string): FlagsConfigEntry {
  const general = config.get('') ?? emptyFlagsConfigEntry();
  return command === '' ? general : applyFlagsConfigEntry(general, config.get(command) ?? emptyFlagsConfigEntry());
}
