// The predefined template functions (text/template/funcs.go), and the
// description of a callable's signature that the executor uses to check
// argument counts the way Go's reflection-based evalCall does.

import { sprint, sprintf, sprintln } from "./fmt.js";
import { compareStrings, isPrint, utf8Bytes, utf8Decode, byteLength } from "./unicode.js";
import { goTypeName, isGoInt, isStructLike, isTrue, NilPointer } from "./value.js";

/** A user-supplied template function. Throw an Error to fail the execution. */
export type TemplateFunc = (...args: unknown[]) => unknown;

/**
 * How an argument is evaluated: "any" is Go's interface{} / reflect.Value
 * (anything goes), "string" is a string parameter (printf's format), which
 * Go type-checks.
 */
export type ParamKind = "any" | "string";

/** A function or method as the executor sees it: its Go signature and how to invoke it. */
export interface Callable {
  /** The fixed parameters. */
  readonly params: readonly ParamKind[];
  /** The element kind of a trailing variadic parameter, or null. */
  readonly variadic: ParamKind | null;
  invoke(thisArg: unknown, args: unknown[]): unknown;
}

/**
 * Signature of a user function or method. JS functions carry no Go types,
 * so they are treated as variadic `func(...interface{}) interface{}` unless
 * they declare one (as properties of the function object):
 *   fn.goArity = 2         exactly 2 arguments ("want 2 got 3")
 *   fn.goArity = true      exactly fn.length arguments
 *   fn.goMinArity = 1      at least 1 argument ("want at least 1 got 0")
 *   fn.goParams = ["string", "any"]   exact parameters; "string" ones are
 *                          type-checked like Go ("wrong type for value; expected string; got int")
 *   fn.goVariadic = "any"  with goParams: a trailing ...interface{} (or "string")
 */
export function userCallable(fn: TemplateFunc): Callable {
  const meta = fn as unknown as { goArity?: unknown; goMinArity?: unknown; goParams?: unknown; goVariadic?: unknown };
  const kind = (k: unknown): ParamKind => (k === "string" ? "string" : "any");
  let params: ParamKind[];
  let variadic: ParamKind | null = "any";
  if (Array.isArray(meta.goParams)) {
    params = meta.goParams.map(kind);
    variadic = meta.goVariadic === undefined ? null : kind(meta.goVariadic);
  } else if (typeof meta.goArity === "number") {
    params = new Array<ParamKind>(meta.goArity).fill("any");
    variadic = null;
  } else if (meta.goArity === true) {
    params = new Array<ParamKind>(fn.length).fill("any");
    variadic = null;
  } else if (typeof meta.goMinArity === "number") {
    params = new Array<ParamKind>(meta.goMinArity).fill("any");
  } else {
    params = [];
  }
  return {
    params,
    variadic,
    invoke: (thisArg, args) => fn.apply(thisArg, args.map(toUserValue)),
  };
}

/**
 * Go passes an untyped nil (a nil literal, a missing value) or a nil pointer
 * to functions as nil; JS code receives null.
 */
export function toUserValue(v: unknown): unknown {
  return v === undefined || v instanceof NilPointer ? null : v;
}

function builtin(params: ParamKind[], variadic: ParamKind | null, fn: (...args: unknown[]) => unknown): Callable {
  return { params, variadic, invoke: (_this, args) => fn(...args) };
}

function errorOf(msg: string): Error {
  return new Error(msg);
}

// ---------------------------------------------------------------------------
// Indexing and slicing.

/** Checks that v is an int usable as an index (0..cap) and converts it. */
function indexArg(v: unknown, cap: number): number {
  let x: bigint;
  if (typeof v === "number" && isGoInt(v)) x = BigInt(v);
  else if (typeof v === "bigint") x = v;
  else if (v === undefined || v === null) throw errorOf("cannot index slice/array with nil");
  else throw errorOf(`cannot index slice/array with type ${goTypeName(v)}`);
  if (x < 0n || x > BigInt(cap)) throw errorOf(`index out of range: ${x}`);
  return Number(x);
}

function mapKeyType(m: Map<unknown, unknown>): string {
  for (const k of m.keys()) return goTypeName(k);
  return "string";
}

/** The zero value of a map's element type, guessed from its current values (our maps are mostly map[string]string). */
function mapZero(m: Map<unknown, unknown>): unknown {
  for (const v of m.values()) {
    switch (typeof v) {
      case "string":
        return "";
      case "number":
        return 0;
      case "bigint":
        return 0n;
      case "boolean":
        return false;
    }
    if (Array.isArray(v)) return [];
    if (v instanceof Map) return new Map();
    return null;
  }
  return "";
}

function isIntLike(v: unknown): boolean {
  return (typeof v === "number" && isGoInt(v)) || typeof v === "bigint";
}

/** Go's prepareArg for a map key. */
function prepareKey(key: unknown, keyType: string, m: Map<unknown, unknown>): unknown {
  if (key === undefined || key === null) {
    if (keyType !== "interface {}") throw errorOf(`value is nil; should be of type ${keyType}`);
    return key;
  }
  if (keyType === "interface {}") return key;
  const t = goTypeName(key);
  if (t === keyType) return key;
  if (isIntLike(key)) {
    // int-like keys convert to the map's int key type.
    for (const k of m.keys()) if (isIntLike(k)) return typeof k === "bigint" ? BigInt(key as number) : Number(key);
  }
  throw errorOf(`value has type ${t}; should be ${keyType}`);
}

/** index item i j k → item[i][j][k]. */
export function index(item: unknown, ...indexes: unknown[]): unknown {
  if (item === undefined) throw errorOf("index of untyped nil");
  for (const ix of indexes) {
    if (item === null || item === undefined || item instanceof NilPointer) throw errorOf("index of nil pointer");
    if (typeof item === "string") {
      const bytes = utf8Bytes(item);
      const x = indexArg(ix, bytes.length);
      if (x === bytes.length) throw errorOf("reflect: string index out of range");
      item = bytes[x];
    } else if (Array.isArray(item) || item instanceof Uint8Array) {
      const x = indexArg(ix, item.length);
      if (x === item.length) throw errorOf("reflect: slice index out of range");
      item = item[x];
    } else if (item instanceof Map) {
      const m = item as Map<unknown, unknown>;
      const key = prepareKey(ix, mapKeyType(m), m);
      item = m.has(key) ? m.get(key) : mapZero(m);
    } else {
      throw errorOf(`can't index item of type ${goTypeName(item)}`);
    }
  }
  return item;
}

/** slice item i j k → item[i:j:k]. */
export function slice(item: unknown, ...indexes: unknown[]): unknown {
  if (item === undefined || item === null) throw errorOf("slice of untyped nil");
  if (indexes.length > 3) throw errorOf(`too many slice indexes: ${indexes.length}`);
  let len: number;
  let bytes: Uint8Array | null = null;
  if (typeof item === "string") {
    if (indexes.length === 3) throw errorOf("cannot 3-index slice a string");
    len = byteLength(item);
    if (len !== item.length) bytes = utf8Bytes(item);
  } else if (Array.isArray(item) || item instanceof Uint8Array) {
    len = item.length;
  } else {
    throw errorOf(`can't slice item of type ${goTypeName(item)}`);
  }
  const idx = [0, len, 0];
  indexes.forEach((x, i) => {
    idx[i] = indexArg(x, len);
  });
  const [i, j, k] = idx as [number, number, number];
  if (i > j) throw errorOf(`invalid slice index: ${i} > ${j}`);
  if (indexes.length === 3 && j > k) throw errorOf(`invalid slice index: ${j} > ${k}`);
  if (typeof item === "string") return bytes ? utf8Decode(bytes.subarray(i, j)) : item.slice(i, j);
  return item.slice(i, j);
}

/** len item: bytes of a string, elements of a slice or map. */
export function length(item: unknown): number {
  if (item === undefined) throw errorOf("reflect: call of reflect.Value.Type on zero Value");
  if (item === null || item instanceof NilPointer) throw errorOf("len of nil pointer");
  if (typeof item === "string") return byteLength(item);
  if (Array.isArray(item) || item instanceof Uint8Array) return item.length;
  if (item instanceof Map) return item.size;
  throw errorOf(`len of type ${goTypeName(item)}`);
}

// ---------------------------------------------------------------------------
// Comparison.

type BasicKind = "invalid" | "bool" | "int" | "float" | "string";

function basicKind(v: unknown): BasicKind {
  switch (typeof v) {
    case "boolean":
      return "bool";
    case "number":
      return isGoInt(v) ? "int" : "float";
    case "bigint":
      return "int";
    case "string":
      return "string";
    default:
      return "invalid";
  }
}

/** reflect.Kind, as far as eq's non-basic comparisons care. */
function refKind(v: unknown): string {
  if (v === undefined || v === null) return "invalid";
  if (v instanceof NilPointer) return "ptr";
  if (Array.isArray(v) || v instanceof Uint8Array) return "slice";
  if (v instanceof Map) return "map";
  if (typeof v === "function") return "func";
  if (isStructLike(v)) return "ptr";
  return typeof v;
}

function isNilValue(v: unknown): boolean {
  return v === undefined || v === null || v instanceof NilPointer;
}

function cmpInts(a: number | bigint, b: number | bigint): number {
  if (typeof a === "number" && typeof b === "number") return a < b ? -1 : a > b ? 1 : 0;
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** A value that is an untyped nil here: undefined, or null (JS has no typed nil unless NilPointer is used). */
function isInvalid(v: unknown): boolean {
  return v === undefined || v === null;
}

/** eq a b c ... → a == b || a == c || ... */
export function eq(arg1: unknown, ...arg2: unknown[]): boolean {
  if (arg2.length === 0) throw errorOf("missing argument for comparison");
  const k1 = basicKind(arg1);
  for (const arg of arg2) {
    const k2 = basicKind(arg);
    let truth = false;
    if (k1 !== k2) {
      if (!isInvalid(arg1) && !isInvalid(arg)) {
        throw errorOf(`incompatible types for comparison: ${goTypeName(arg1)} and ${goTypeName(arg)}`);
      }
    } else {
      switch (k1) {
        case "bool":
        case "float":
        case "string":
          truth = arg1 === arg;
          break;
        case "int":
          truth = cmpInts(arg1 as number | bigint, arg as number | bigint) === 0;
          break;
        default: {
          const r1 = refKind(arg1);
          const r2 = refKind(arg);
          if (r1 !== r2 && r1 !== "invalid" && r2 !== "invalid") {
            throw errorOf(
              `non-comparable types ${sprintf("%s", arg1)}: ${goTypeName(arg1)}, ${goTypeName(arg)}: ${sprintf("%v", arg)}`,
            );
          }
          if (isNilValue(arg1) || isNilValue(arg)) {
            truth = isNilValue(arg) === isNilValue(arg1);
          } else {
            if (r2 === "slice" || r2 === "map" || r2 === "func") {
              throw errorOf(`non-comparable type ${sprintf("%s", arg)}: ${goTypeName(arg)}`);
            }
            truth = arg1 === arg;
          }
        }
      }
    }
    if (truth) return true;
  }
  return false;
}

export function ne(arg1: unknown, arg2: unknown): boolean {
  return !eq(arg1, arg2);
}

export function lt(arg1: unknown, arg2: unknown): boolean {
  const k1 = basicKind(arg1);
  if (k1 === "invalid") throw errorOf("invalid type for comparison");
  const k2 = basicKind(arg2);
  if (k2 === "invalid") throw errorOf("invalid type for comparison");
  if (k1 !== k2) throw errorOf(`incompatible types for comparison: ${goTypeName(arg1)} and ${goTypeName(arg2)}`);
  switch (k1) {
    case "bool":
      throw errorOf("invalid type for comparison");
    case "float":
      return (arg1 as number) < (arg2 as number);
    case "int":
      return cmpInts(arg1 as number | bigint, arg2 as number | bigint) < 0;
    default:
      return compareStrings(arg1 as string, arg2 as string) < 0;
  }
}

export function le(arg1: unknown, arg2: unknown): boolean {
  return lt(arg1, arg2) || eq(arg1, arg2);
}

export function gt(arg1: unknown, arg2: unknown): boolean {
  return !le(arg1, arg2);
}

export function ge(arg1: unknown, arg2: unknown): boolean {
  return !lt(arg1, arg2);
}

// ---------------------------------------------------------------------------
// Escaping.

/**
 * fmt.Sprint of the arguments, except that (like template output) an
 * untyped nil prints as "<no value>".
 */
function evalArgs(args: unknown[]): string {
  if (args.length === 1 && typeof args[0] === "string") return args[0];
  return sprint(...args.map((a) => (a === undefined ? "<no value>" : a)));
}

const HTML_ESCAPES: Record<string, string> = {
  "\0": "\ufffd",
  '"': "&#34;",
  "'": "&#39;",
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
};

/** Go's template.HTMLEscapeString. */
export function htmlEscapeString(s: string): string {
  return s.replace(/[\0"'&<>]/g, (c) => HTML_ESCAPES[c] as string);
}

const JS_ESCAPES: Record<string, string> = {
  "\\": "\\\\",
  "'": "\\'",
  '"': '\\"',
  "<": "\\u003C",
  ">": "\\u003E",
  "&": "\\u0026",
  "=": "\\u003D",
};

/** Go's template.JSEscapeString. */
export function jsEscapeString(s: string): string {
  let out = "";
  for (const ch of s) {
    const r = ch.codePointAt(0) as number;
    const esc = JS_ESCAPES[ch];
    if (esc !== undefined) out += esc;
    else if (r < 0x20) out += "\\u00" + r.toString(16).toUpperCase().padStart(2, "0");
    else if (r < 0x80) out += ch;
    else if (isPrint(r >= 0xd800 && r <= 0xdfff ? 0xfffd : r)) out += ch;
    else out += "\\u" + r.toString(16).toUpperCase().padStart(4, "0");
  }
  return out;
}

/** Go's url.QueryEscape. */
export function urlQueryEscape(s: string): string {
  let out = "";
  for (const b of utf8Bytes(s)) {
    if (
      (b >= 0x30 && b <= 0x39) ||
      (b >= 0x41 && b <= 0x5a) ||
      (b >= 0x61 && b <= 0x7a) ||
      b === 0x2d ||
      b === 0x5f ||
      b === 0x2e ||
      b === 0x7e
    ) {
      out += String.fromCharCode(b);
    } else if (b === 0x20) {
      out += "+";
    } else {
      out += "%" + b.toString(16).toUpperCase().padStart(2, "0");
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// call.

/** call fn args...; name is the text of the node that produced fn (for messages). */
export function callFunction(name: string, fn: unknown, args: unknown[]): unknown {
  if (fn === undefined || fn === null) throw errorOf("call of nil");
  if (typeof fn !== "function") throw errorOf(`non-function ${name} of type ${goTypeName(fn)}`);
  const c = userCallable(fn as TemplateFunc);
  if (c.variadic) {
    if (args.length < c.params.length) {
      throw errorOf(`wrong number of args for ${name}: got ${args.length} want at least ${c.params.length}`);
    }
  } else if (args.length !== c.params.length) {
    throw errorOf(`wrong number of args for ${name}: got ${args.length} want ${c.params.length}`);
  }
  return c.invoke(undefined, args);
}

function unreachable(): never {
  throw new Error("unreachable: implemented in the executor");
}

/** The builtin functions with Go's signatures. and/or/call are special-cased by the executor. */
export const BUILTINS: ReadonlyMap<string, Callable> = new Map<string, Callable>([
  ["and", builtin(["any"], "any", unreachable)],
  ["call", builtin(["any"], "any", unreachable)],
  ["html", builtin([], "any", (...a) => htmlEscapeString(evalArgs(a)))],
  ["index", builtin(["any"], "any", (item, ...ix) => index(item, ...ix))],
  ["slice", builtin(["any"], "any", (item, ...ix) => slice(item, ...ix))],
  ["js", builtin([], "any", (...a) => jsEscapeString(evalArgs(a)))],
  ["len", builtin(["any"], null, (a) => length(a))],
  ["not", builtin(["any"], null, (a) => !isTrue(a))],
  ["or", builtin(["any"], "any", unreachable)],
  ["print", builtin([], "any", (...a) => sprint(...a))],
  ["printf", builtin(["string"], "any", (f, ...a) => sprintf(f as string, ...a))],
  ["println", builtin([], "any", (...a) => sprintln(...a))],
  ["urlquery", builtin([], "any", (...a) => urlQueryEscape(evalArgs(a)))],
  ["eq", builtin(["any"], "any", (a, ...b) => eq(a, ...b))],
  ["ge", builtin(["any", "any"], null, (a, b) => ge(a, b))],
  ["gt", builtin(["any", "any"], null, (a, b) => gt(a, b))],
  ["le", builtin(["any", "any"], null, (a, b) => le(a, b))],
  ["lt", builtin(["any", "any"], null, (a, b) => lt(a, b))],
  ["ne", builtin(["any", "any"], null, (a, b) => ne(a, b))],
]);
