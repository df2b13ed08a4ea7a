// `bashbrew lint`: the official-images CI checks, natively (issue 6; spec ecosystem §1).
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { type CommandContext } from '../app.js';
import { ExitError } from '../errors.js';
import { GitContext } from '../git-context.js';
import { gatherRepos } from '../repos.js';
import { splitRepoRef } from '../../manifest/fetch.js';
import { cleanPath } from '../../manifest/gostr.js';
import { ChangedSinceError, changedLibraryFiles } from '../../lint/changed.js';
import { lintTargets, loadTarget } from '../../lint/lint.js';
import { type Format, FORMATS, githubReport, jsonReport, textReport } from '../../lint/reporters.js';
import { RULES } from '../../lint/rules.js';
import { oneLine, summariseWarnings } from '../../lint/warnings.js';

function usage(message: string): ExitError {
  return new ExitError(`Incorrect Usage: ${message}`, 2);
}

export default async function lint(ctx: CommandContext): Promise<void> {
  const { flags, globals, out } = ctx;
  const format = flags.string('format');
  if (!(FORMATS as readonly string[]).includes(format)) throw usage(`invalid --format ${JSON.stringify(format)} (text, json or github)`);
  const known = new Set(RULES.map((r) => r.id));
  const wanted = flags.stringSlice('rule').flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== '');
  const skipped = flags.stringSlice('skip-rule').flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== '');
  for (const id of [...wanted, ...skipped]) {
    if (known.has(id)) continue;
    throw usage(`unknown rule ${JSON.stringify(id)} (known: ${[...known].join(', ')})`);
  }
  const rules = RULES.filter((r) => (wanted.length === 0 || wanted.includes(r.id)) && !skipped.includes(r.id));

  let args: string[];
  const since = flags.string('changed-since');
  if (since !== '') {
    if (flags.bool('all')) throw usage('--changed-since and --all cannot be combined');
    let changed: string[];
    try {
      changed = changedLibraryFiles(globals.library, since).map((name) => `${globals.library}/${name}`);
    } catch (err) {
      if (err instanceof ChangedSinceError) throw usage(err.message);
      throw err;
    }
    args = [...changed, ...ctx.args];
    if (args.length === 0) {
      out.err('No library/ changes detected, skipping.\n');
      return;
    }
  } else {
    try {
      args = gatherRepos(ctx, flags.bool('all'));
    } catch (err) {
      throw usage(err instanceof Error ? err.message : String(err));
    }
  }
  const targets = args.map((raw) => {
    const { ref: arg, repoName } = splitRepoRef(raw);
    const path = isAbsolute(arg) || arg.includes('/') ? cleanPath(isAbsolute(arg) ? arg : `${ctx.cwd}/${arg}`)
      : cleanPath(`${globals.library}/${arg}`);
    const rel = relative(ctx.cwd, path);
    const display = rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
    return loadTarget(path, repoName, display);
  });

  let git: GitContext | null = null;
  const warnings: string[] = [];
  const findings = await lintTargets(targets, rules, {
    git: () => (git ??= new GitContext(ctx)),
    warn: (message) => warnings.push(message),
    env: ctx.env,
    library: globals.library,
    externalPins: flags.string('external-pins') !== '' ? resolve(ctx.cwd, flags.string('external-pins')) : join(dirname(globals.library), '.external-pins'),
  });

  // offline, every git-needing check skips every entry for one reason: repeats are counted unless --debug
  for (const w of globals.debug ? warnings.map(oneLine) : summariseWarnings(warnings)) out.err(`warning: ${w}\n`);
  const fmt = format as Format;
  if (fmt === 'json') out.out(jsonReport(findings));
  else if (fmt === 'github') out.out(githubReport(findings));
  else out.out(textReport(rules, findings));

  const errors = findings.filter((f) => f.severity === 'error').length;
  if (errors > 0) {
    const warningCount = findings.length - errors;
    throw new ExitError(`lint: ${errors} error${errors === 1 ? '' : 's'}` +
      (warningCount > 0 ? `, ${warningCount} warning${warningCount === 1 ? '' : 's'}` : ''), 1);
  }
}
