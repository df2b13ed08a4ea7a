// The command line: flag placement, env vars, the flags file and its precedence, help, exit codes.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { bashbrew, tempDir } from '../helpers/run-cli.js';
import { ensureGitFixtures } from '../helpers/git-fixtures.js';
import { corpusDir, repoRoot, specDir } from '../helpers/paths.js';

const corpus = { BASHBREW_LIBRARY: corpusDir };

test('command flags may follow positionals, single-dash spellings work, -- ends flags', () => {
  const a = bashbrew(['list', 'hello-world', '--uniq'], corpus);
  const b = bashbrew(['list', '-uniq', 'hello-world'], corpus);
  assert.equal(a.code, 0);
  assert.equal(a.stdout, b.stdout);
  assert.equal(a.stdout.trim().split('\n').length, 3);
  const c = bashbrew(['list', '--', '--uniq'], corpus);
  assert.equal(c.code, 1);
  assert.match(c.stderr, /failed fetching repo "--uniq"/);
});

test('--uniq=false and --uniq=garbage', () => {
  const all = bashbrew(['list', 'hello-world'], corpus).stdout;
  assert.equal(all.split('\n').length - 1, 8);
  assert.equal(bashbrew(['list', '--uniq=false', 'hello-world'], corpus).stdout, all);
  const bad = bashbrew(['list', '--uniq=yes', 'hello-world'], corpus);
  assert.equal(bad.code, 1);
  assert.equal(bad.stderr, 'error: invalid boolean value "yes" for -uniq: parse error\n');
  assert.match(bad.stdout, /^Incorrect Usage: invalid boolean value/);
});

test('global flags only before the command; unknown global flag shows app help', () => {
  const r = bashbrew(['--nope', 'list'], corpus);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'error: flag provided but not defined: -nope\n');
  assert.match(r.stdout, /^Incorrect Usage\. flag provided but not defined: -nope\n\nNAME:\n   bashbrew - canonical build tool/);
});

test('unknown command exits 3; help command; version; no command shows help', () => {
  const r = bashbrew(['frobnicate'], corpus);
  assert.deepEqual([r.code, r.stdout, r.stderr], [3, '', "No help topic for 'frobnicate'\n"]);
  const h = bashbrew(['help', 'cat'], corpus);
  assert.equal(h.code, 0);
  assert.match(h.stdout, /^NAME:\n   bashbrew cat - print manifest contents for repo or repo:tag\n/);
  assert.match(h.stdout, /\n   --format FORMAT, -f FORMAT +change the FORMAT of the output \(default: "\\n\{\{- if i -\}\}/);
  assert.match(h.stdout, /\nCATEGORY:\n   plumbing\n/);
  assert.deepEqual(bashbrew(['--version'], corpus).stdout, 'bashbrew version v0.1.15\n');
  assert.deepEqual(bashbrew(['-v'], corpus).stdout, 'bashbrew version v0.1.15\n');
  const none = bashbrew([], corpus);
  assert.equal(none.code, 0);
  assert.match(none.stdout, /\nCOMMANDS:\n   list, ls +list repo:tag combinations/);
  assert.match(none.stdout, /\n   plumbing:\n     children, offspring, descendants, progeny +print the repos built FROM/);
  assert.match(none.stdout, /\n   --help, -h, -\? +show help\n   --version, -v +print the version\n$/);
});

test('command help via --help, -h and -?', () => {
  for (const flag of ['--help', '-h', '-?']) {
    const r = bashbrew(['list', flag], corpus);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^NAME:\n   bashbrew list - list repo:tag combinations for a given repo\n\nUSAGE:\n   bashbrew list \[command options\] \[arguments...\]\n\nOPTIONS:\n   --all {16}act upon all repos/);
  }
});

test('BASHBREW_DEBUG must be a Go bool', () => {
  const r = bashbrew(['list', 'hello-world'], { ...corpus, BASHBREW_DEBUG: 'garbage' });
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'error: could not parse garbage as bool value for flag debug: strconv.ParseBool: parsing "garbage": invalid syntax\n');
});

test('--arch-namespace without "=" is a clean error (the reference crashes)', () => {
  const r = bashbrew(['--arch-namespace', 'foo', 'list', 'hello-world'], corpus);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^error: invalid --arch-namespace "foo"/);
});

function withFlagsFile(text: string): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'flags'), text);
  return dir;
}

test('flags file: command paragraphs over general, CLI and env over the file, empty env blocks it', () => {
  const config = withFlagsFile([
    'Namespace: general', 'Arch: s390x', '',
    'Commands: list', 'Namespace: listns', 'Unique: true', '',
    'Commands: cat, list', 'Arch: arm64v8', '',
  ].join('\n'));
  const env = { ...corpus, BASHBREW_CONFIG: config };
  assert.equal(bashbrew(['list', 'hello-world'], env).stdout, 'listns/hello-world:linux\nlistns/hello-world:nanoserver-ltsc2025\nlistns/hello-world:nanoserver-ltsc2022\n');
  assert.equal(bashbrew(['cat', '-f', '{{ namespace }} {{ arch }}', 'hello-world'], env).stdout, 'general arm64v8\n');
  assert.equal(bashbrew(['--namespace', 'cli', 'cat', '-f', '{{ namespace }}', 'hello-world'], env).stdout, 'cli\n');
  assert.equal(bashbrew(['cat', '-f', '{{ namespace }}', 'hello-world'], { ...env, BASHBREW_NAMESPACE: 'env' }).stdout, 'env\n');
  assert.equal(bashbrew(['cat', '-f', '[{{ namespace }}]', 'hello-world'], { ...env, BASHBREW_NAMESPACE: '' }).stdout, '[]\n');
  assert.equal(bashbrew(['cat', '-f', '{{ arch }}', 'hello-world'], { ...env, BASHBREW_ARCH: '' }).stdout, 'amd64\n');
  assert.equal(bashbrew(['list', '--unique=false', 'hello-world'], env).stdout.split('\n').length - 1, 8);
});

test('flags file: "Unique: yes" is silently ignored; a bad file or a directory is fatal', () => {
  const env = { ...corpus, BASHBREW_CONFIG: withFlagsFile('Unique: yes\n') };
  assert.equal(bashbrew(['list', 'hello-world'], env).stdout.split('\n').length - 1, 8);
  const bad = bashbrew(['list', 'hello-world'], { ...corpus, BASHBREW_CONFIG: withFlagsFile('Namespace x\n') });
  assert.deepEqual([bad.code, bad.stderr], [1, "error: Bad line: 'Namespace x\n' has no ':'\n"]);
  const dir = tempDir();
  mkdirSync(join(dir, 'flags'));
  const isDir = bashbrew(['list', 'hello-world'], { ...corpus, BASHBREW_CONFIG: dir });
  assert.deepEqual([isDir.code, isDir.stderr], [1, `error: read ${join(dir, 'flags')}: is a directory\n`]);
});

test('the bundled library is the default library', () => {
  const r = bashbrew(['list', '--all']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^example-app:3\.1\.4-bookworm\n/);
  assert.match(r.stdout, /\nexample-windows:nanoserver\n$/);
  assert.equal(bashbrew(['cat', '-f', '{{ .RepoName }}', join(repoRoot, 'library', 'example-base')]).stdout, 'example-base\n');
});

test('--build-order sorts parents first; --no-sort keeps the argument order', () => {
  ensureGitFixtures();
  const env = { BASHBREW_LIBRARY: join(specDir, 'graph-cases', 'library') };
  const sorted = bashbrew(['list', '--uniq', '--build-order', 'webapp', 'osbase'], env);
  assert.equal(sorted.code, 0, sorted.stderr);
  assert.match(sorted.stdout, /^osbase:/);
  assert.match(bashbrew(['--no-sort', 'list', '--uniq', '--build-order', 'webapp', 'osbase'], env).stdout, /^webapp:/);
});
