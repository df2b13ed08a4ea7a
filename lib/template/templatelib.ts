// bashbrew's templatelib functions (spec: commands-and-builds.md §9.4). A Go panic inside a
// helper surfaces as a template error, so these throw with the panic's text.
import { createHash } from 'node:crypto';
import { goJSON } from './go-json.js';
import { isTrue, type TemplateFunc } from './index.js';

/** Flattens slice arguments one level, as templatelib's "things" helpers do. */
function flatten(name: string, args: unknown[]): unknown[] {
  if (args.length < 1) throw new Error(`"${name}" requires at least one argument`);
  return args.flatMap((a) => (Array.isArray(a) ? a : [a]));
}

function asString(v: unknown): string {
  if (typeof v !== 'string') {
    const t = v === null || v === undefined ? 'nil' : typeof v === 'number' ? 'int' : typeof v;
    throw new Error(`interface conversion: interface {} is ${t}, not string`);
  }
  return v;
}

function first(name: string, args: unknown[]): [unknown, unknown[]] {
  const all = flatten(name, args);
  if (all.length === 0) throw new Error('runtime error: index out of range [0] with length 0');
  return [all[0], all.slice(1)];
}

function last(name: string, args: unknown[]): [unknown, unknown[]] {
  const all = flatten(name, args);
  if (all.length === 0) throw new Error('runtime error: index out of range [-1]');
  return [all[all.length - 1], all.slice(0, -1)];
}

/** strings.NewReplacer(pairs...).Replace(s): one left-to-right pass, earlier pairs win. */
export function replaceAll(pairs: string[], s: string): string {
  if (pairs.length % 2 === 1) throw new Error('strings.NewReplacer: odd argument count');
  let out = '';
  let i = 0;
  outer: while (i <= s.length) {
    for (let p = 0; p < pairs.length; p += 2) {
      const oldS = pairs[p]!;
      if (s.startsWith(oldS, i)) {
        out += pairs[p + 1]!;
        if (oldS === '') {
          if (i < s.length) out += s[i]!;
          i++;
        } else {
          i += oldS.length;
        }
        continue outer;
      }
    }
    if (i < s.length) out += s[i]!;
    i++;
  }
  return out;
}

/** Declares a function's Go signature so that argument errors read like Go's (see funcs.ts). */
export function goSignature<F extends TemplateFunc>(fn: F, params: ('string' | 'any')[], variadic?: 'string' | 'any'): F {
  Object.assign(fn, { goParams: params, goVariadic: variadic });
  return fn;
}

export function templatelibFuncs(env: NodeJS.ProcessEnv): Record<string, TemplateFunc> {
  return {
    hasPrefix: goSignature((prefix: unknown, s: unknown) => asString(s).startsWith(asString(prefix)), ['string', 'string']),
    hasSuffix: goSignature((suffix: unknown, s: unknown) => asString(s).endsWith(asString(suffix)), ['string', 'string']),
    ternary: goSignature((truthy: unknown, falsey: unknown, val: unknown) => (isTrue(val) ? truthy : falsey), ['any', 'any', 'any']),
    first: (...args: unknown[]) => first('first', args)[0],
    last: (...args: unknown[]) => last('last', args)[0],
    json: goSignature((v: unknown) => goJSON(v), ['any']),
    join: (...args: unknown[]) => {
      const [sep, rest] = first('join', args);
      return rest.map(asString).join(asString(sep));
    },
    trimPrefixes: (...args: unknown[]) => {
      const [subject, prefixes] = last('trimPrefixes', args);
      let s = asString(subject);
      for (const p of prefixes.map(asString)) if (s.startsWith(p)) s = s.slice(p.length);
      return s;
    },
    trimSuffixes: (...args: unknown[]) => {
      const [subject, suffixes] = last('trimSuffixes', args);
      let s = asString(subject);
      for (const p of suffixes.map(asString)) if (p !== '' && s.endsWith(p)) s = s.slice(0, -p.length);
      return s;
    },
    replace: (...args: unknown[]) => {
      const [subject, pairs] = last('replace', args);
      return replaceAll(pairs.map(asString), asString(subject));
    },
    getenv: (...args: unknown[]) => {
      const [name, rest] = first('getenv', args);
      const val = env[asString(name)] ?? '';
      let setVal: unknown = val;
      let unsetVal: unknown = '';
      if (rest.length === 2) [setVal, unsetVal] = rest;
      else if (rest.length === 1) unsetVal = rest[0];
      else if (rest.length !== 0) throw new Error(`expected between 1 and 3 arguments to "getenv", got ${rest.length + 1}`);
      return val !== '' ? setVal : unsetVal;
    },
    sha256sum: goSignature((input: unknown) => createHash('sha256').update(asString(input)).digest('hex'), ['string']),
  };
}

/**
 * Gives every method of these classes an exact Go arity (its JavaScript parameter count), so a
 * template calling one with the wrong number of arguments gets Go's "wrong number of args for X:
 * want N got M" instead of a JavaScript error from inside the method.
 */
export function declareExactArity(...classes: { prototype: object }[]): void {
  for (const cls of classes) {
    for (const name of Object.getOwnPropertyNames(cls.prototype)) {
      const d = Object.getOwnPropertyDescriptor(cls.prototype, name);
      if (name !== 'constructor' && typeof d?.value === 'function') Object.assign(d.value, { goArity: true });
    }
  }
}
