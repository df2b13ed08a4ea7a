// Dockerfile FROM extraction: every vector of ../shared/spec/dockerfile-from-vectors.json, plus the
// inputs where the Go reference panics or stops scanning (manifest-format.md §11).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  DockerfileError, lastStageFrom, parseDockerfile, type DockerfileMetadata,
} from '../../lib/dockerfile/from.js';
import { specDir } from '../helpers/paths.js';

interface Expected {
  froms: string[];
  stageFroms: string[];
  stageNames: string[];
  stageNameFroms: Record<string, string>;
  lastStageFrom: string | null;
}
interface Vector {
  name: string;
  dockerfile: string;
  expect: Expected | { referencePanics: true };
}

const vectors: Vector[] = JSON.parse(readFileSync(join(specDir, 'dockerfile-from-vectors.json'), 'utf8'));

function plain(meta: DockerfileMetadata): Omit<Expected, 'lastStageFrom'> {
  return {
    froms: meta.froms,
    stageFroms: meta.stageFroms,
    stageNames: meta.stageNames,
    stageNameFroms: Object.fromEntries(meta.stageNameFroms),
  };
}

function parseError(text: string): DockerfileError {
  try {
    parseDockerfile(text);
  } catch (err) {
    assert.ok(err instanceof DockerfileError, `expected a DockerfileError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected parseDockerfile to throw');
}

describe('dockerfile-from-vectors.json', () => {
  test('has the 28 documented vectors', () => {
    assert.equal(vectors.length, 28);
  });

  for (const v of vectors) {
    test(v.name, () => {
      if ('referencePanics' in v.expect) {
        assert.throws(() => parseDockerfile(v.dockerfile), DockerfileError);
        return;
      }
      const { lastStageFrom: last, ...lists } = v.expect;
      const meta = parseDockerfile(v.dockerfile);
      assert.deepEqual(plain(meta), lists);
      if (last === null) {
        assert.throws(() => lastStageFrom(meta), DockerfileError);
      } else {
        assert.equal(lastStageFrom(meta), last);
      }
    });
  }
});

describe('inputs where the reference panics', () => {
  test('FROM without an image', () => {
    assert.equal(parseError('FROM a\n\nFROM\n').message, 'FROM instruction without an image on line 3');
    assert.equal(parseError('  from   \n').message, 'FROM instruction without an image on line 1');
  });

  test('FROM \\ at the end of input (the backslash is dropped, leaving a bare FROM)', () => {
    assert.equal(parseError('FROM a\nFROM \\').message, 'FROM instruction without an image on line 2');
    assert.equal(parseError('FROM a\nFROM \\\n\n# c\n').message, 'FROM instruction without an image on line 2');
  });

  test('negative COPY --from index', () => {
    assert.equal(parseError('FROM a\nCOPY --from=-1 x y\n').message,
      'invalid stage index -1 in COPY --from on line 2');
    // any negative number is below the FROM count, even with no FROM at all
    assert.equal(parseError('COPY --from=-0007 x y').message, 'invalid stage index -7 in COPY --from on line 1');
  });

  test('negative RUN --mount from= index', () => {
    assert.equal(parseError('FROM a\nRUN \\\n  --mount=type=bind,from=-1 true\n').message,
      'invalid stage index -1 in RUN --mount on line 2');
  });

  test('not panics: -0 is stage 0, and numbers beyond int64 are image names', () => {
    const meta = parseDockerfile(
      'FROM a\nCOPY --from=-0 x y\nCOPY --from=+0 x y\n' +
      'COPY --from=-9223372036854775809 x y\nCOPY --from=9223372036854775808 x y\n' +
      'COPY --from=1_0 x y\nCOPY --from=0x0 x y\nCOPY --from=+-0 x y\nCOPY --from=\uff10 x y\n');
    assert.deepEqual(meta.froms, [
      'a:latest', 'a:latest', 'a:latest',
      '-9223372036854775809:latest', '9223372036854775808:latest',
      '1_0:latest', '0x0:latest', '+-0:latest', '\uff10:latest',
    ]);
  });

  test('int64 minimum is a valid (negative) index', () => {
    assert.equal(parseError('FROM a\nCOPY --from=-9223372036854775808 x y').message,
      'invalid stage index -9223372036854775808 in COPY --from on line 2');
  });

  test('lastStageFrom without any FROM', () => {
    assert.throws(() => lastStageFrom(parseDockerfile('RUN true\n')), DockerfileError);
  });
});

describe('bufio.Scanner: token too long', () => {
  const LIMIT = 64 * 1024;

  test('spec example: FROM a, a 70 000-byte RUN line, FROM b', () => {
    const err = parseError(`FROM a\nRUN ${'x'.repeat(70_000 - 4)}\nFROM b\n`);
    assert.equal(err.message, 'bufio.Scanner: token too long');
    assert.ok(err.partial);
    assert.deepEqual(plain(err.partial), { froms: ['a:latest'], stageFroms: ['a:latest'], stageNames: [], stageNameFroms: {} });
  });

  test('65 535 bytes is the longest line that fits; the limit counts a trailing \\r and UTF-8 bytes', () => {
    const fits = `RUN ${'x'.repeat(LIMIT - 1 - 4)}`;
    assert.deepEqual(parseDockerfile(`FROM a\n${fits}\nFROM b`).froms, ['a:latest', 'b:latest']);
    assert.deepEqual(parseDockerfile(`FROM a\n${fits}`).froms, ['a:latest']); // last line, no newline
    assert.equal(parseError(`FROM a\n${fits}x\nFROM b`).message, 'bufio.Scanner: token too long');
    assert.equal(parseError(`FROM a\n${fits}x`).message, 'bufio.Scanner: token too long');
    assert.equal(parseError(`FROM a\n${fits}\r\nFROM b`).message, 'bufio.Scanner: token too long');
    // "é" is 2 bytes, "€" 3, "😀" 4 (one surrogate pair)
    const twoByte = `RUN ${'é'.repeat((LIMIT - 4) / 2)}`; // exactly 65 536 bytes, 32 770 UTF-16 units
    assert.equal(parseError(`FROM a\n${twoByte}\nFROM b`).message, 'bufio.Scanner: token too long');
    assert.deepEqual(parseDockerfile(`FROM a\n${twoByte.slice(0, -1)}\nFROM b`).froms, ['a:latest', 'b:latest']);
    const astral = `RUN ${'😀'.repeat((LIMIT - 4) / 4)}`;
    assert.equal(parseError(`${astral}\nFROM b`).message, 'bufio.Scanner: token too long');
    assert.deepEqual(parseDockerfile(`${astral.slice(0, -2)}\nFROM b`).froms, ['b:latest']);
  });

  test('a too-long line inside a continuation ends the input: the pending line is still used', () => {
    const err = parseError(`FROM a AS s\nFROM s \\\n${'x'.repeat(LIMIT)}\nFROM c\n`);
    assert.equal(err.message, 'bufio.Scanner: token too long');
    assert.ok(err.partial);
    assert.deepEqual(err.partial.froms, ['a:latest', 'a:latest']);
  });

  test('the too-long line never reaches the parser even when it is a comment', () => {
    const err = parseError(`FROM a\n# ${'x'.repeat(LIMIT)}\n`);
    assert.deepEqual(err.partial?.stageFroms, ['a:latest']);
  });
});

describe('lexical details', () => {
  test('Go unicode.IsSpace whitespace trims and separates fields; U+FEFF and U+200B do not', () => {
    const meta = parseDockerfile('\u3000FROM\u00a0a\u0085AS\u2003s\u2029\nFROM\u200bb\n\ufeffFROM c\nFROM s\n');
    assert.deepEqual(meta.stageFroms, ['a:latest', 'a:latest']);
    assert.deepEqual(meta.stageNames, ['s']);
  });

  test('a lone \\r inside a line separates fields; only one trailing \\r is dropped', () => {
    assert.deepEqual(parseDockerfile('FROM a\rAS\rs\nFROM s').stageFroms, ['a:latest', 'a:latest']);
    assert.deepEqual(parseDockerfile('FROM a \\\r\r\n AS s\r\r\nFROM s\r').stageFroms, ['a:latest', 'a:latest']);
  });

  test('empty input, only blank lines, only comments', () => {
    for (const text of ['', '\n', '\r\n\r\n', '# syntax=docker/dockerfile:1\n# x \\\n']) {
      assert.deepEqual(plain(parseDockerfile(text)), { froms: [], stageFroms: [], stageNames: [], stageNameFroms: {} });
    }
  });

  test('only one trailing backslash is dropped at end of input', () => {
    assert.deepEqual(parseDockerfile('FROM a \\\\').stageFroms, ['a:latest']);
    assert.deepEqual(parseDockerfile('FROM a\\\\').stageFroms, ['a\\:latest']);
  });

  test('FROM does not resolve stage numbers; `--from` prefers a name, then a number', () => {
    const meta = parseDockerfile('FROM a\nFROM 0\nCOPY --from=0 x y\nCOPY --from=1 x y\nCOPY --from=2 x y\n');
    assert.deepEqual(meta.froms, ['a:latest', '0:latest', 'a:latest', '0:latest', '2:latest']);
  });

  test('RUN: the last type= and from= win, an empty from= disables, other flags are skipped', () => {
    const meta = parseDockerfile(
      'FROM a AS s\n' +
      'RUN --mount=type=bind,from=x,from=s,type=cache --network=none true\n' +
      'RUN --mount=type=cache,from=x,type=bind --mount=type=bind,from=y,from= true\n' +
      'RUN --mount=type=bind,from=s,target=/t true\n' +
      'RUN --mount=type=BIND,from=z true\n');
    assert.deepEqual(meta.froms, ['a:latest', 'x:latest', 'a:latest']);
  });

  test('stage names are not special-cased: "__proto__" is an ordinary name', () => {
    const meta = parseDockerfile('FROM a AS __proto__\nFROM __proto__\nCOPY --from=constructor x y\n');
    assert.deepEqual(meta.froms, ['a:latest', 'a:latest', 'constructor:latest']);
  });

  test('example from commands-and-builds.md §4.3', () => {
    const meta = parseDockerfile('FROM golang:1.22 AS build\nFROM debian:bookworm-slim\nCOPY --from=build /out /out\n');
    assert.deepEqual(meta.froms, ['golang:1.22', 'debian:bookworm-slim', 'golang:1.22']);
    assert.equal(lastStageFrom(meta), 'debian:bookworm-slim');
  });
});

test('every vector gives the same metadata from the bytes as from the text', () => {
  const vectors = JSON.parse(readFileSync(join(specDir, 'dockerfile-from-vectors.json'), 'utf8')) as { name: string; dockerfile: string }[];
  for (const v of vectors) {
    let fromText: unknown;
    let fromBytes: unknown;
    try { fromText = parseDockerfile(v.dockerfile); } catch (err) { fromText = String(err); }
    try { fromBytes = parseDockerfile(Buffer.from(v.dockerfile, 'utf8')); } catch (err) { fromBytes = String(err); }
    assert.deepEqual(fromBytes, fromText, v.name);
  }
});

test('bytes: a line of invalid UTF-8 is measured in bytes, as Go does', () => {
  const df = Buffer.concat([Buffer.from('FROM busybox\nRUN echo '), Buffer.alloc(30000, 0xe9), Buffer.from('\nFROM debian\n')]);
  assert.deepEqual(parseDockerfile(df).froms, ['busybox:latest', 'debian:latest']);
});
