// The command-line application: global options, the flags file, command dispatch and the
// reference's error/exit-code conventions (spec: commands-and-builds.md §1, §8).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { isSupportedArch, DEFAULT_ARCHITECTURE } from '../architecture.js';
import { configForCommand, type FlagsConfig, FlagsFileError, parseFlagsConfig } from '../config/flags-file.js';
import { ProcessExitError } from '../errors.js';
import { ManifestError } from '../manifest/errors.js';
import { goQuote } from '../manifest/gostr.js';
import { APP_NAME, APP_USAGE, COMMANDS, EXTRA_FLAGS, globalFlags, HELP_FLAG, VERSION, VERSION_FLAG } from './definitions.js';
import { ExitError, MultiError, UsageError } from './errors.js';
import { FlagParseError, FlagSet, reorderArgs } from './flags.js';
import { appHelp, type CommandDef, commandHelp, HELP_COMMAND, subcommandHelp } from './help.js';
import { Output } from './output.js';

/** Everything a command needs from the global options, resolved and validated. */
export interface Globals {
  debug: boolean;
  noSort: boolean;
  arch: string;
  namespace: string;
  constraints: string[];
  exclusiveConstraints: boolean;
  archNamespaces: Map<string, string>;
  config: string;
  library: string;
  cache: string;
}

export interface CommandContext {
  globals: Globals;
  flags: FlagSet;
  args: string[];
  out: Output;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Whether stderr is a terminal (decides e.g. whether error locations are shown). */
  stderrIsTTY: boolean;
  stdoutIsTTY: boolean;
  /** Registers work to run when the command ends, successfully or not (e.g. saving caches). */
  defer: (fn: () => void) => void;
}

export type CommandAction = (ctx: CommandContext) => Promise<void>;

export interface RunOptions {
  argv: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  /** Loads a command's implementation on demand, so start-up only pays for what runs. */
  loadAction: (name: string) => Promise<CommandAction | null>;
}

const ALL_COMMANDS: CommandDef[] = [...COMMANDS, HELP_COMMAND];

function findCommand(list: readonly CommandDef[], name: string): CommandDef | undefined {
  return list.find((c) => c.name === name || (c.aliases ?? []).includes(name));
}

function appHelpText(env: NodeJS.ProcessEnv): string {
  return appHelp({ name: APP_NAME, usage: APP_USAGE, version: VERSION, commands: ALL_COMMANDS,
    flags: [...globalFlags(env), HELP_FLAG, VERSION_FLAG] });
}

/** Reads the flags file; a missing file is fine, anything else is fatal (spec §1.3). */
function loadFlagsConfig(dir: string): FlagsConfig {
  const file = resolve(dir, 'flags');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return new Map();
    if (code === 'EISDIR') throw new Error(`read ${file}: is a directory`);
    if (code === 'EACCES') throw new Error(`open ${file}: permission denied`);
    throw err;
  }
  try {
    return parseFlagsConfig(text);
  } catch (err) {
    if (err instanceof FlagsFileError) throw new Error(err.message);
    throw err;
  }
}

const GLOBAL_CONFIG_KEYS = {
  library: 'Library', cache: 'Cache', debug: 'Debug', arch: 'Arch', namespace: 'Namespace',
  constraint: 'Constraints', 'exclusive-constraints': 'ExclusiveConstraints', 'arch-namespace': 'ArchNamespaces',
} as const;
const LOCAL_CONFIG_KEYS = { uniq: 'Unique', 'build-order': 'BuildOrder', pull: 'Pull', 'apply-constraints': 'ApplyConstraints' } as const;

/**
 * Applies the flags file to flags not given on the command line and whose env var is not set
 * (even empty). Values that do not parse (e.g. `Unique: yes`) are ignored, as in the reference.
 */
function applyConfig(config: FlagsConfig, command: string, global: FlagSet, local: FlagSet): void {
  const entry = configForCommand(config, command);
  const apply = (set: FlagSet, flag: string, value: string | string[]) => {
    if (set.lookup(flag) === undefined || set.isSet(flag)) return;
    for (const v of Array.isArray(value) ? value : [value]) if (v !== '') set.setValue(flag, v);
  };
  for (const [flag, key] of Object.entries(GLOBAL_CONFIG_KEYS)) apply(global, flag, entry[key]);
  for (const [flag, key] of Object.entries(LOCAL_CONFIG_KEYS)) apply(local, flag, entry[key]);
}

function resolveGlobals(g: FlagSet, cwd: string): Globals {
  let arch = g.string('arch');
  if (arch === '') arch = DEFAULT_ARCHITECTURE; // BASHBREW_ARCH= (set but empty)
  if (!isSupportedArch(arch)) throw new Error(`invalid architecture: ${goQuote(arch)}`);
  const archNamespaces = new Map<string, string>();
  for (const mapping of g.stringSlice('arch-namespace')) {
    if (mapping === '') continue;
    const eq = mapping.indexOf('=');
    // the reference crashes here (index out of range); we say what is wrong instead
    if (eq < 0) throw new Error(`invalid --arch-namespace ${goQuote(mapping)} (expected "arch=namespace", e.g. "s390x=tianons390x")`);
    archNamespaces.set(mapping.slice(0, eq).trim(), mapping.slice(eq + 1).trim());
  }
  return {
    debug: g.bool('debug'),
    noSort: g.bool('no-sort'),
    arch,
    namespace: g.string('namespace'),
    constraints: g.stringSlice('constraint'),
    exclusiveConstraints: g.bool('exclusive-constraints'),
    archNamespaces,
    config: resolve(cwd, g.string('config')),
    library: resolve(cwd, g.string('library')),
    cache: resolve(cwd, g.string('cache')),
  };
}

/** Prints an error the way urfave/cli v1 does and returns the exit code. */
/** Colours for a terminal: chalk (off with NO_COLOR), loaded only on this error path. */
async function stderrColours(opts: RunOptions): Promise<{ red: (s: string) => string; dim: (s: string) => string }> {
  const plain = { red: (s: string) => s, dim: (s: string) => s };
  if (!opts.stderrIsTTY || opts.env.NO_COLOR !== undefined) return plain;
  const { chalkStderr } = await import('chalk');
  return { red: (s) => chalkStderr.red(s), dim: (s) => chalkStderr.dim(s) };
}

async function report(err: unknown, out: Output, opts: RunOptions): Promise<number> {
  const colour = await stderrColours(opts);
  const showLocation = (e: unknown): string => {
    const mode = opts.env.BASHBREW_ERROR_LOCATIONS ?? 'auto';
    const wanted = mode === 'always' || (mode === 'auto' && opts.stderrIsTTY);
    if (!wanted || !(e instanceof ManifestError) || e.location === null) return '';
    return colour.dim(`  (at ${e.location})`) + '\n';
  };
  if (err instanceof ExitError) {
    out.err(err.message + '\n');
    return err.exitCode;
  }
  if (err instanceof MultiError) {
    // a failed subprocess inside gives its exit code, as the reference does
    let code = 1;
    const findCode = (e: unknown): void => {
      if (e instanceof MultiError) e.parts.forEach(findCode);
      else if (code === 1 && e instanceof ProcessExitError) code = e.exitCode;
    };
    findCode(err);
    const lines: string[] = [];
    const flattenInto = (e: unknown) => {
      if (e instanceof MultiError) e.parts.forEach(flattenInto);
      else lines.push((e instanceof Error ? e.message : String(e)) + '\n' + showLocation(e));
    };
    err.parts.forEach(flattenInto);
    out.err(lines.join(''));
    return code;
  }
  if (err instanceof Error && !(err instanceof TypeError || err instanceof RangeError || err instanceof ReferenceError)) {
    out.err(`${colour.red('error:')} ${err.message}\n${showLocation(err)}`);
    return 1;
  }
  // a bug of ours: say so plainly, with the stack for a report
  out.err(`error: internal error: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  return 70;
}

export async function run(opts: RunOptions): Promise<number> {
  const out = new Output();
  try {
    return await runCommand(opts, out);
  } catch (err) {
    return await report(err, out, opts);
  } finally {
    out.flush();
  }
}

async function runCommand(opts: RunOptions, out: Output): Promise<number> {
  const { env } = opts;
  let global: FlagSet;
  try {
    global = new FlagSet([...globalFlags(env), HELP_FLAG, VERSION_FLAG], env);
    global.parse(opts.argv);
  } catch (err) {
    if (!(err instanceof FlagParseError)) throw err;
    if (global! === undefined) throw new Error(err.message); // bad env var value
    out.out(`Incorrect Usage. ${err.message}\n\n${appHelpText(env)}`);
    throw new UsageError(err.message);
  }
  if (global.bool('help')) {
    out.out(appHelpText(env));
    return 0;
  }
  if (global.bool('version')) {
    out.out(`${APP_NAME} version ${VERSION}\n`);
    return 0;
  }

  const config = loadFlagsConfig(resolve(opts.cwd, global.string('config')));

  const [name, ...rest] = global.args;
  if (name === undefined) {
    out.out(appHelpText(env));
    return 0;
  }
  let command = findCommand(ALL_COMMANDS, name);
  if (command === undefined) throw new ExitError(`No help topic for '${name}'`, 3);
  if (command === HELP_COMMAND) {
    if (rest.length === 0) {
      out.out(appHelpText(env));
      return 0;
    }
    const topic = findCommand(ALL_COMMANDS, rest[0]!);
    if (topic === undefined) throw new ExitError(`No help topic for '${rest[0]}'`, 3);
    out.out(topic.subcommands ? subcommandHelp(`${APP_NAME} ${topic.name}`, topic, HELP_FLAG) : commandHelp(`${APP_NAME} ${topic.name}`, topic));
    return 0;
  }

  let helpName = `${APP_NAME} ${command.name}`;
  let args = rest;
  const configName = command.name;
  if (command.subcommands) {
    const sub = args[0] === undefined ? undefined : findCommand(command.subcommands, args[0]);
    if (sub === undefined || args[0] === 'help' || args[0] === 'h' || args[0]?.startsWith('-')) {
      out.out(subcommandHelp(helpName, command, HELP_FLAG));
      return 0;
    }
    helpName = `${helpName} ${sub.name}`;
    command = sub;
    args = args.slice(1);
  }

  const defs = [...command.flags, ...(EXTRA_FLAGS[command.name] ?? []), HELP_FLAG];
  const local = new FlagSet(defs, env);
  try {
    local.parse(reorderArgs(defs, args));
  } catch (err) {
    if (!(err instanceof FlagParseError)) throw err;
    out.out(`Incorrect Usage: ${err.message}\n\n${commandHelp(helpName, command)}`);
    throw new UsageError(err.message);
  }
  if (local.bool('help')) {
    out.out(commandHelp(helpName, command));
    return 0;
  }

  applyConfig(config, configName, global, local);
  const globals = resolveGlobals(global, opts.cwd);
  const actionName = helpName.slice(APP_NAME.length + 1);
  const action = await opts.loadAction(actionName);
  if (action === null) {
    throw new Error(`"${actionName}" is not implemented in bashbrew-ts yet`);
  }
  const deferred: (() => void)[] = [];
  try {
    await action({ globals, flags: local, args: local.args, out, env, cwd: opts.cwd,
      stderrIsTTY: opts.stderrIsTTY, stdoutIsTTY: opts.stdoutIsTTY, defer: (fn) => deferred.push(fn) });
  } finally {
    for (const fn of deferred) fn();
  }
  return 0;
}

