// Command-line flags with the semantics of Go's `flag` package as driven by urfave/cli v1, which
// the reference inherits (spec: commands-and-builds.md §1.1): single- or double-dash spellings,
// `--x=v` or `--x v`, bool flags only as `--x`/`--x=false`, parsing stops at the first positional
// (commands first move their own flags to the front), `--` ends flags, env vars as defaults.
import { goQuote } from '../manifest/gostr.js';

export type FlagKind = 'bool' | 'string' | 'int' | 'stringSlice';

export interface FlagDef {
  /** urfave "Name": comma-separated names, the first is the primary ("uniq, unique"). */
  name: string;
  kind: FlagKind;
  usage: string;
  /** Default shown in help and used when neither CLI nor env sets the flag. */
  value?: string | number;
  envVar?: string;
}

export type FlagValue = boolean | string | number | string[];

export class FlagParseError extends Error {}

export function flagNames(def: FlagDef): string[] {
  return def.name.split(',').map((n) => n.trim());
}

function parseGoBool(s: string): boolean | null {
  switch (s) {
    case '1': case 't': case 'T': case 'TRUE': case 'true': case 'True': return true;
    case '0': case 'f': case 'F': case 'FALSE': case 'false': case 'False': return false;
    default: return null;
  }
}

/** strconv.ParseInt(s, 0, 64) for the values flags see (sign, 0x/0o/0b prefixes, underscores). */
function parseGoInt(s: string): number | null {
  const m = /^([+-]?)(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO]?[0-7_]*|[1-9][0-9_]*|0)$/.exec(s);
  if (m === null) return null;
  let body = m[2]!.replaceAll('_', '');
  let radix = 10;
  if (/^0[xX]/.test(body)) { radix = 16; body = body.slice(2); }
  else if (/^0[bB]/.test(body)) { radix = 2; body = body.slice(2); }
  else if (/^0[oO]/.test(body)) { radix = 8; body = body.slice(2); }
  else if (body.length > 1 && body.startsWith('0')) { radix = 8; body = body.slice(1); }
  if (body === '') return null;
  const n = parseInt(body, radix);
  return m[1] === '-' ? -n : n;
}

/** A flag set: the parsed values of one command (or of the global options). */
export class FlagSet {
  readonly values = new Map<string, FlagValue>();
  /** Primary names of flags given on the command line. */
  readonly set = new Set<string>();
  /** Primary names of flags whose env var exists (even if empty: urfave counts it as set). */
  readonly envSet = new Set<string>();
  readonly args: string[] = [];
  private readonly byName = new Map<string, FlagDef>();

  constructor(readonly defs: readonly FlagDef[], env: NodeJS.ProcessEnv) {
    for (const def of defs) {
      for (const n of flagNames(def)) this.byName.set(n, def);
      const primary = flagNames(def)[0]!;
      this.values.set(primary, def.kind === 'bool' ? false : def.kind === 'stringSlice' ? [] : def.value ?? '');
      if (def.envVar === undefined || env[def.envVar] === undefined) continue;
      const envVal = env[def.envVar]!;
      this.envSet.add(primary);
      if (def.kind === 'bool') {
        if (envVal === '') continue;
        const b = parseGoBool(envVal);
        if (b === null) {
          throw new FlagParseError(`could not parse ${envVal} as bool value for flag ${primary}: strconv.ParseBool: parsing ${goQuote(envVal)}: invalid syntax`);
        }
        this.values.set(primary, b);
      } else if (def.kind === 'stringSlice') {
        this.values.set(primary, envVal.split(',').map((s) => s.trim()));
      } else if (def.kind === 'int') {
        const n = parseGoInt(envVal);
        if (n === null) throw new FlagParseError(`could not parse ${envVal} as int value for flag ${primary}: strconv.ParseInt: parsing ${goQuote(envVal)}: invalid syntax`);
        this.values.set(primary, n);
      } else {
        this.values.set(primary, envVal);
      }
    }
  }

  lookup(name: string): FlagDef | undefined {
    return this.byName.get(name);
  }

  primary(name: string): string {
    return flagNames(this.byName.get(name)!)[0]!;
  }

  /** flag.Value.Set: applies one textual value. Returns an error message or null. */
  setValue(name: string, value: string): string | null {
    const def = this.byName.get(name);
    if (def === undefined) return `no such flag -${name}`;
    const primary = flagNames(def)[0]!;
    switch (def.kind) {
      case 'bool': {
        const b = parseGoBool(value);
        if (b === null) return 'parse error';
        this.values.set(primary, b);
        break;
      }
      case 'int': {
        const n = parseGoInt(value);
        if (n === null) return 'parse error';
        this.values.set(primary, n);
        break;
      }
      case 'stringSlice':
        (this.values.get(primary) as string[]).push(value);
        break;
      default:
        this.values.set(primary, value);
    }
    return null;
  }

  /** Go's FlagSet.Parse (ContinueOnError). Stops at the first non-flag argument. */
  parse(args: readonly string[]): void {
    let i = 0;
    for (; i < args.length; i++) {
      const s = args[i]!;
      if (s.length < 2 || s[0] !== '-') break;
      let minuses = 1;
      if (s[1] === '-') {
        minuses = 2;
        if (s.length === 2) {
          i++;
          break;
        }
      }
      let name = s.slice(minuses);
      if (name.length === 0 || name[0] === '-' || name[0] === '=') throw new FlagParseError(`bad flag syntax: ${s}`);
      let value: string | null = null;
      const eq = name.indexOf('=', 1);
      if (eq >= 0) {
        value = name.slice(eq + 1);
        name = name.slice(0, eq);
      }
      const def = this.byName.get(name);
      if (def === undefined) throw new FlagParseError(`flag provided but not defined: -${name}`);
      if (def.kind === 'bool') {
        const err = this.setValue(name, value ?? 'true');
        if (err !== null) throw new FlagParseError(`invalid boolean value ${goQuote(value ?? '')} for -${name}: ${err}`);
      } else {
        if (value === null) {
          if (i + 1 >= args.length) throw new FlagParseError(`flag needs an argument: -${name}`);
          value = args[++i]!;
        }
        const err = this.setValue(name, value);
        if (err !== null) throw new FlagParseError(`invalid value ${goQuote(value)} for flag -${name}: ${err}`);
      }
      this.set.add(flagNames(def)[0]!);
    }
    this.args.push(...args.slice(i));
  }

  bool(name: string): boolean {
    return this.values.get(name) === true;
  }
  string(name: string): string {
    const v = this.values.get(name);
    return typeof v === 'string' ? v : String(v ?? '');
  }
  int(name: string): number {
    const v = this.values.get(name);
    return typeof v === 'number' ? v : 0;
  }
  stringSlice(name: string): string[] {
    const v = this.values.get(name);
    return Array.isArray(v) ? v : [];
  }
  /** urfave's IsSet: given on the command line, or its env var exists. */
  isSet(name: string): boolean {
    return this.set.has(name) || this.envSet.has(name);
  }
}

/** urfave's argIsFlag: is `arg` a spelling of one of `defs`? */
function argIsFlag(defs: readonly FlagDef[], arg: string): boolean {
  if (arg === '-' || arg === '--' || !arg.startsWith('-')) return false;
  let name = arg.startsWith('--') ? arg.slice(2) : arg.slice(1);
  name = name.split('=')[0]!;
  return defs.some((d) => flagNames(d).includes(name));
}

/**
 * urfave's reorderArgs: a command's own flags (and the argument right after a flag without "=")
 * move in front of the positionals, so `list hello-world --uniq` works; nothing moves past `--`.
 */
export function reorderArgs(defs: readonly FlagDef[], args: readonly string[]): string[] {
  const reordered: string[] = [];
  let remaining: string[] = [];
  let nextMayBeValue = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (nextMayBeValue && !argIsFlag(defs, arg)) {
      nextMayBeValue = false;
      reordered.push(arg);
    } else if (arg === '--') {
      remaining = ['--', ...remaining, ...args.slice(i + 1)];
      break;
    } else if (argIsFlag(defs, arg)) {
      reordered.push(arg);
      nextMayBeValue = !arg.includes('=');
    } else {
      remaining.push(arg);
    }
  }
  return [...reordered, ...remaining];
}
