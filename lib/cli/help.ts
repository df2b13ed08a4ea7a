// Help screens laid out exactly like urfave/cli v1's templates rendered through Go's tabwriter
// (minwidth 1, tabwidth 8, padding 2, space padding), so `--help` output matches the reference.
import { goQuote } from '../manifest/gostr.js';
import { type FlagDef } from './flags.js';

export interface CommandDef {
  name: string;
  aliases?: string[];
  usage: string;
  argsUsage?: string;
  description?: string;
  category?: string;
  flags: FlagDef[];
  subcommands?: CommandDef[];
  /** Not listed in the application's help (our extensions: that screen stays the reference's). */
  hidden?: boolean;
}

/** Go's text/tabwriter for cells terminated by '\t' (trailing text of a line is not a cell). */
export function tabwrite(text: string, padding = 2): string {
  const lines = text.split('\n').map((l) => l.split('\t'));
  const widths: number[][] = lines.map(() => []);
  const layout = (start: number, end: number, col: number) => {
    let i = start;
    while (i < end) {
      if (lines[i]!.length - 1 <= col) {
        i++;
        continue;
      }
      let j = i;
      let width = 0;
      while (j < end && lines[j]!.length - 1 > col) {
        width = Math.max(width, [...lines[j]![col]!].length + padding);
        j++;
      }
      for (let k = i; k < j; k++) widths[k]![col] = width;
      layout(i, j, col + 1);
      i = j;
    }
  };
  layout(0, lines.length, 0);
  return lines.map((cells, li) => cells.map((cell, ci) => {
    if (ci === cells.length - 1) return cell;
    return cell + ' '.repeat(widths[li]![ci]! - [...cell].length);
  }).join('')).join('\n');
}

function prefixedNames(fullName: string, placeholder: string): string {
  return fullName.split(',').map((n) => {
    const name = n.trim();
    return (name.length === 1 ? '-' : '--') + name + (placeholder !== '' ? ' ' + placeholder : '');
  }).join(', ');
}

/** urfave's stringifyFlag: "--name PLACEHOLDER\tusage (default: x) [$ENV]". */
export function stringifyFlag(def: FlagDef): string {
  let usage = def.usage;
  let placeholder = '';
  const tick = usage.indexOf('`');
  if (tick >= 0) {
    const close = usage.indexOf('`', tick + 1);
    if (close >= 0) {
      placeholder = usage.slice(tick + 1, close);
      usage = usage.slice(0, tick) + placeholder + usage.slice(close + 1);
    }
  }
  let defaultText = '';
  if (def.kind === 'string' || def.kind === 'int') {
    if (placeholder === '') placeholder = 'value';
    if (def.kind === 'string') defaultText = def.value ? ` (default: ${goQuote(String(def.value))})` : '';
    else defaultText = ` (default: ${def.value ?? 0})`;
  } else if (def.kind === 'stringSlice' && placeholder === '') {
    placeholder = 'value';
  }
  const text = prefixedNames(def.name, placeholder) + '\t' + (usage + defaultText).trim();
  return def.envVar ? `${text} [$${def.envVar}]` : text;
}

function commandNames(c: CommandDef): string {
  return [c.name, ...(c.aliases ?? [])].join(', ');
}

export interface AppDef {
  name: string;
  usage: string;
  version: string;
  commands: CommandDef[];
  flags: FlagDef[];
}

/** Commands grouped by category, uncategorised first, categories sorted by name (urfave's order). */
function categories(commands: readonly CommandDef[]): [string, CommandDef[]][] {
  const groups = new Map<string, CommandDef[]>();
  for (const c of commands) {
    const key = c.category ?? '';
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  return [...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export function appHelp(app: AppDef): string {
  let out = `NAME:\n   ${app.name} - ${app.usage}\n\nUSAGE:\n   ${app.name} [global options] command [command options] [arguments...]`;
  out += `\n\nVERSION:\n   ${app.version}`;
  out += '\n\nCOMMANDS:';
  for (const [name, cmds] of categories(app.commands.filter((c) => !c.hidden))) {
    if (name !== '') {
      out += `\n\n   ${name}:`;
      for (const c of cmds) out += `\n     ${commandNames(c)}\t${c.usage}`;
    } else {
      for (const c of cmds) out += `\n   ${commandNames(c)}\t${c.usage}`;
    }
  }
  out += '\n\nGLOBAL OPTIONS:\n   ' + app.flags.map(stringifyFlag).join('\n   ');
  return tabwrite(out + '\n');
}

export function commandHelp(helpName: string, c: CommandDef): string {
  let out = `NAME:\n   ${helpName} - ${c.usage}\n\nUSAGE:\n   ${helpName}`;
  if (c.flags.length > 0) out += ' [command options]';
  out += ' ' + (c.argsUsage ?? '[arguments...]');
  if (c.category) out += `\n\nCATEGORY:\n   ${c.category}`;
  if (c.description) out += `\n\nDESCRIPTION:\n   ${c.description}`;
  if (c.flags.length > 0) {
    out += '\n\nOPTIONS:\n   ';
    for (const f of c.flags) out += stringifyFlag(f) + '\n   ';
  }
  return tabwrite(out + '\n');
}

/** Help of a command that has subcommands (urfave's SubcommandHelpTemplate). */
export function subcommandHelp(helpName: string, c: CommandDef, helpFlag: FlagDef): string {
  const subs = [...(c.subcommands ?? []), HELP_COMMAND];
  let out = `NAME:\n   ${helpName} - ${c.description ?? c.usage}\n\nUSAGE:\n   ${helpName} command [command options] [arguments...]\n\nCOMMANDS:`;
  for (const [name, cmds] of categories(subs)) {
    if (name !== '') {
      out += `\n\n   ${name}:`;
      for (const s of cmds) out += `\n     ${commandNames(s)}\t${s.usage}`;
    } else {
      for (const s of cmds) out += `\n   ${commandNames(s)}\t${s.usage}`;
    }
  }
  out += '\n\nOPTIONS:\n   ' + stringifyFlag(helpFlag) + '\n   ';
  return tabwrite(out + '\n');
}

export const HELP_COMMAND: CommandDef = {
  name: 'help',
  aliases: ['h'],
  usage: 'Shows a list of commands or help for one command',
  argsUsage: '[command]',
  flags: [],
};

