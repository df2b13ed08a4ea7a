// Go flag / urfave argument handling, as pure functions.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type FlagDef, FlagParseError, FlagSet, reorderArgs } from '../../lib/cli/flags.js';
import { stringifyFlag, tabwrite } from '../../lib/cli/help.js';

const defs: FlagDef[] = [
  { name: 'uniq, unique', kind: 'bool', usage: 'u' },
  { name: 'depth', kind: 'int', value: 0, usage: 'd' },
  { name: 'format, f', kind: 'string', value: 'x', usage: 'change the `FORMAT`' },
  { name: 'constraint', kind: 'stringSlice', usage: 'c', envVar: 'C' },
];

test('reorderArgs moves flags (and the word after a flag without "=") to the front', () => {
  assert.deepEqual(reorderArgs(defs, ['a', '--uniq', 'b', 'c']), ['--uniq', 'b', 'a', 'c']);
  assert.deepEqual(reorderArgs(defs, ['a', '--depth=2', 'b']), ['--depth=2', 'a', 'b']);
  assert.deepEqual(reorderArgs(defs, ['a', '--', '--uniq']), ['--', 'a', '--uniq']);
  assert.deepEqual(reorderArgs(defs, ['a', '--nope', 'b']), ['a', '--nope', 'b']);
});

test('FlagSet.parse: Go flag semantics', () => {
  const s = new FlagSet(defs, {});
  s.parse(['-unique', '--depth', '0x10', '-f=y', '--constraint', 'a', '--constraint=b', 'rest', '--uniq']);
  assert.equal(s.bool('uniq'), true);
  assert.equal(s.int('depth'), 16);
  assert.equal(s.string('format'), 'y');
  assert.deepEqual(s.stringSlice('constraint'), ['a', 'b']);
  assert.deepEqual(s.args, ['rest', '--uniq']);
  assert.throws(() => new FlagSet(defs, {}).parse(['--depth']), new FlagParseError('flag needs an argument: -depth'));
  assert.throws(() => new FlagSet(defs, {}).parse(['--depth', 'x']), new FlagParseError('invalid value "x" for flag -depth: parse error'));
  assert.throws(() => new FlagSet(defs, {}).parse(['---x']), new FlagParseError('bad flag syntax: ---x'));
  assert.throws(() => new FlagSet(defs, {}).parse(['--x=1']), new FlagParseError('flag provided but not defined: -x'));
});

test('env values are defaults; slices split on commas and CLI values append', () => {
  const s = new FlagSet(defs, { C: 'aufs, docker-1.9' });
  assert.equal(s.isSet('constraint'), true);
  s.parse(['--constraint', 'x']);
  assert.deepEqual(s.stringSlice('constraint'), ['aufs', 'docker-1.9', 'x']);
  assert.equal(new FlagSet(defs, { C: '' }).isSet('constraint'), true);
  assert.equal(new FlagSet(defs, {}).isSet('constraint'), false);
});

test('help layout: urfave flag strings through a tabwriter', () => {
  assert.equal(stringifyFlag(defs[0]!), '--uniq, --unique\tu');
  assert.equal(stringifyFlag(defs[1]!), '--depth value\td (default: 0)');
  assert.equal(stringifyFlag(defs[2]!), '--format FORMAT, -f FORMAT\tchange the FORMAT (default: "x")');
  assert.equal(stringifyFlag(defs[3]!), '--constraint value\tc [$C]');
  assert.equal(tabwrite('a\tb\nlong-one\tc\nno tab\nx\ty'), 'a         b\nlong-one  c\nno tab\nx  y');
});
