// Bad library files: a clear error naming the file, a non-zero exit, no stack trace, nothing on stdout.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { bashbrew, tempDir } from '../helpers/run-cli.js';

function libraryWith(name: string, content: string | Buffer): string {
  const lib = tempDir();
  writeFileSync(join(lib, name), content);
  return lib;
}

function assertCleanFailure(r: { code: number | null; stdout: string; stderr: string }, pattern: RegExp): void {
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at .*\.(m?js|ts):\d+/, 'stack trace on stderr');
}

test('a directory', () => {
  const lib = tempDir();
  mkdirSync(join(lib, 'sub'));
  assertCleanFailure(bashbrew(['list', 'sub'], { BASHBREW_LIBRARY: lib }),
    new RegExp(`^failed fetching repo "sub"\nread ${lib}/sub: is a directory\n$`));
  assertCleanFailure(bashbrew(['list', '--all'], { BASHBREW_LIBRARY: lib }), /^failed fetching repo ".*\/sub"\nread .*\/sub: is a directory\n$/);
});

test('an unreadable file', { skip: process.getuid?.() === 0 ? 'root can read anything' : false }, () => {
  const lib = libraryWith('secret', 'Maintainers: A (@a)\n');
  chmodSync(join(lib, 'secret'), 0o000);
  assertCleanFailure(bashbrew(['list', 'secret'], { BASHBREW_LIBRARY: lib }), /open .*\/secret: permission denied/);
});

test('binary garbage (invalid UTF-8)', () => {
  const bytes = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256));
  const lib = libraryWith('garbage', bytes);
  assertCleanFailure(bashbrew(['list', 'garbage'], { BASHBREW_LIBRARY: lib }),
    /^failed fetching repo "garbage"\nnot a text file \(invalid UTF-8\)/);
});

test('a NUL byte inside a field', () => {
  const lib = libraryWith('nul', 'Maintainers: A (@a)\nGitRepo: https://x/y.git\n\nTags: 1.0\u0000\nGitCommit: 0123456789abcdef0123456789abcdef01234567\n');
  assertCleanFailure(bashbrew(['list', 'nul'], { BASHBREW_LIBRARY: lib }),
    /^failed fetching repo "nul"\nTags "1.0\\x00" has invalid \(Shared\)Tags: "1.0\\x00"\n$/);
});

test('a 50 MB file is read and rejected quickly, with the offending line', () => {
  const line = 'x'.repeat(1023) + '\n';
  const lib = libraryWith('huge', 'Maintainers: A (@a)\n\n' + line.repeat(50 * 1024));
  const started = Date.now();
  const r = bashbrew(['list', 'huge'], { BASHBREW_LIBRARY: lib });
  assertCleanFailure(r, /^failed fetching repo "huge"\nBad line: 'x{1023}\n' has no ':'\n$/);
  assert.ok(Date.now() - started < 20_000);
});

test('a 50 MB valid file parses', () => {
  const entries: string[] = ['Maintainers: A (@a)\nGitRepo: https://x/y.git\nGitCommit: 0123456789abcdef0123456789abcdef01234567\n'];
  let size = 0;
  for (let i = 0; size < 50 * 1024 * 1024; i++) {
    const e = `Tags: t${i}\nDirectory: d/${i}\n# ${'c'.repeat(400)}\n`;
    entries.push(e);
    size += e.length;
  }
  const lib = libraryWith('big', entries.join('\n'));
  const r = bashbrew(['list', '--uniq', 'big'], { BASHBREW_LIBRARY: lib });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.split('\n').length - 1, entries.length - 1);
});

test('error locations: shown with BASHBREW_ERROR_LOCATIONS=always, never on stdout', () => {
  const lib = libraryWith('bad', 'Maintainers: A (@a)\nGitRepo: https://x/y.git\n\nTags: 1.0\nGitCommit: main\n');
  const plain = bashbrew(['list', 'bad'], { BASHBREW_LIBRARY: lib });
  assert.equal(plain.stderr, 'failed fetching repo "bad"\nTags "1.0" has invalid GitCommit (must be a commit, not a tag or ref): "main"\n');
  const located = bashbrew(['list', 'bad'], { BASHBREW_LIBRARY: lib, BASHBREW_ERROR_LOCATIONS: 'always' });
  assert.equal(located.stderr, `${plain.stderr}  (at ${lib}/bad:5)\n`);
  assert.equal(located.stdout, '');
});
