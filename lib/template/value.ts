// The mapping between Go values and JS values used by the interpreter.
//
//   Go                         JS
//   string                     string
//   int                        number (integral, |n| < 2^63) or bigint
//   float64                    number (non-integral, or too large for int64)
//   bool                       boolean
//   slice / array              Array (Uint8Array = []byte)
//   map                        Map
//   struct / *struct           object (class instance or plain object)
//   nil pointer                null, or a NilPointer (a *typed* nil, see below)
//   "no value" (invalid)       undefined — e.g. a missing map key; prints as "<no value>"
//   func                       function
//
// Go's reflection gives the interpreter type names and method sets; here
// they are recovered from the JS values. Classes may declare
//   static goType = "*manifest.Manifest2822Entry";
//   static goPkgPath = "github.com/docker-library/bashbrew/manifest";
//   static goFields = ["Tags", "Architectures", ...];   // optional
// to make type names in error messages match Go's exactly. A goType starting
// with "*" also makes fmt print the value as a pointer ("&{...}") the way Go
// does in print/printf (template output itself dereferences pointers).

import { compareStrings } from "./unicode.js";

/** A constructor as far as this module cares: something with a prototype and a name. */
export interface ClassLike {
  readonly prototype: unknown;
  readonly name: string;
}

function staticString(ctor: unknown, key: string): string | undefined {
  if ((typeof ctor !== "function" && typeof ctor !== "object") || ctor === null) return undefined;
  const v = (ctor as Record<string, unknown>)[key];
  return typeof v === "string" ? v : undefined;
}

/**
 * A typed nil pointer (Go's `(*T)(nil)`), for data fields that are nil
 * pointers to a known struct type. Compared with plain `null` it lets the
 * interpreter reproduce Go's errors exactly: calling a (value-receiver)
 * method on it fails with "value method PKG.T.M called using nil *T pointer",
 * and field access fails with "nil pointer evaluating *pkg.T.Field".
 */
export class NilPointer {
  /** Go type string, e.g. "*manifest.Manifest2822Entry". */
  readonly typeName: string;
  /** Import path of the type's package, e.g. "github.com/docker-library/bashbrew/manifest". */
  readonly pkgPath: string;
  constructor(readonly ctor: ClassLike | null, typeName?: string, pkgPath?: string) {
    const t = typeName ?? staticString(ctor, "goType") ?? (ctor ? "*" + ctor.name : "*struct {}");
    this.typeName = t.startsWith("*") ? t : "*" + t;
    const dot = this.typeName.lastIndexOf(".");
    const shortPkg = dot >= 0 ? this.typeName.slice(1, dot) : "main";
    this.pkgPath = pkgPath ?? staticString(ctor, "goPkgPath") ?? shortPkg;
  }

  /** The struct type's bare name ("Manifest2822Entry"). */
  get bareName(): string {
    const t = this.typeName.replace(/^\*+/, "");
    return t.slice(t.lastIndexOf(".") + 1);
  }

  /** Whether T (or *T) has a method with this name. */
  hasMethod(name: string): boolean {
    if (!this.ctor) return false;
    return findMember(this.ctor.prototype, name).kind === "method";
  }

  /**
   * Whether T is known to have no field with this name. Classes can declare
   * `static goFields = ["Tags", ...]`; without it every name may be a field.
   */
  lacksField(name: string): boolean {
    const fields = this.ctor ? (this.ctor as unknown as { goFields?: unknown }).goFields : undefined;
    return Array.isArray(fields) && !fields.includes(name);
  }

  /** The message of Go's runtime panic for calling a value method through a nil pointer. */
  nilMethodMessage(method: string): string {
    const bare = this.bareName;
    return `value method ${this.pkgPath}.${bare}.${method} called using nil *${bare} pointer`;
  }
}

/** Convenience constructor for NilPointer: `nilPointer(Manifest2822Entry)`. */
export function nilPointer(ctor: ClassLike, typeName?: string, pkgPath?: string): NilPointer {
  return new NilPointer(ctor, typeName, pkgPath);
}

/** Go's nil in any form: untyped (undefined/null) or typed (NilPointer). */
export function isNilish(v: unknown): boolean {
  return v === undefined || v === null || v instanceof NilPointer;
}

const TWO_63 = 2 ** 63;

/** Whether a JS number represents a Go int (as opposed to a float64). */
export function isGoInt(n: number): boolean {
  // -0 can only be a float64.
  return Number.isInteger(n) && n < TWO_63 && n >= -TWO_63 && !Object.is(n, -0);
}

export type MemberLookup = { kind: "method"; fn: (...args: unknown[]) => unknown } | { kind: "field" } | { kind: "none" };

const STOP_PROTOS: ReadonlySet<unknown> = new Set([
  Object.prototype,
  Array.prototype,
  Map.prototype,
  Function.prototype,
  Uint8Array.prototype,
  Object.getPrototypeOf(Uint8Array.prototype),
  Error.prototype,
]);

/**
 * Look up `.name` on a JS object the way the template engine sees it: a
 * function-valued property (own or inherited from a class) is a method, any
 * other property (including getters) is a field. Properties coming from the
 * built-in prototypes (Object, Array, Map, ...) are invisible, so that e.g.
 * `.constructor` or `.size` do not leak JS internals into templates.
 * `skipOwn` starts the search at the prototype (used for arrays and maps,
 * whose own properties are elements, not fields).
 */
export function findMember(obj: unknown, name: string, skipOwn = false): MemberLookup {
  if ((typeof obj !== "object" && typeof obj !== "function") || obj === null) return { kind: "none" };
  let o: unknown = skipOwn ? Object.getPrototypeOf(obj) : obj;
  while (o !== null && o !== undefined && !STOP_PROTOS.has(o)) {
    const d = Object.getOwnPropertyDescriptor(o, name);
    if (d) {
      if ("value" in d) {
        if (typeof d.value === "function") return { kind: "method", fn: d.value as (...args: unknown[]) => unknown };
        return { kind: "field" };
      }
      return { kind: "field" };
    }
    o = Object.getPrototypeOf(o);
  }
  return { kind: "none" };
}

/** Whether v is a struct-like object (not an array, map, byte slice, or function). */
export function isStructLike(v: unknown): v is Record<string, unknown> {
  return (
    typeof v === "object" &&
    v !== null &&
    !Array.isArray(v) &&
    !(v instanceof Map) &&
    !(v instanceof Uint8Array) &&
    !(v instanceof NilPointer)
  );
}

/**
 * Go template truthiness (text/template's isTrue): false, 0, "", nil, empty
 * slices and maps are false; everything else (including any struct or
 * non-nil pointer) is true.
 */
export function isTrue(v: unknown): boolean {
  switch (typeof v) {
    case "undefined":
      return false;
    case "boolean":
      return v;
    case "number":
      return v !== 0;
    case "bigint":
      return v !== 0n;
    case "string":
      return v.length > 0;
    case "function":
      return true;
    case "object":
      if (v === null || v instanceof NilPointer) return false;
      if (Array.isArray(v)) return v.length > 0;
      if (v instanceof Map) return v.size > 0;
      if (v instanceof Uint8Array) return v.length > 0;
      return true;
    default:
      return true;
  }
}

function ctorOf(v: object): unknown {
  const p: unknown = Object.getPrototypeOf(v);
  if (p === null || typeof p !== "object") return undefined;
  return (p as { constructor?: unknown }).constructor;
}

function commonTypeName(values: Iterable<unknown>, seen: Set<object>): string {
  let t: string | undefined;
  for (const v of values) {
    if (v === undefined || v === null) return "interface {}";
    const n = goTypeName(v, seen);
    if (t === undefined) t = n;
    else if (t !== n) return "interface {}";
  }
  return t ?? "interface {}";
}

/** The Go type a class declares with `static goType = "..."`, if any. */
export function declaredGoType(v: object): string | undefined {
  return staticString(ctorOf(v), "goType");
}

/**
 * Best-effort Go type string of a value (reflect.Type.String()), used in
 * error messages, %T and fmt's bad-verb output.
 */
export function goTypeName(v: unknown, seen: Set<object> = new Set()): string {
  switch (typeof v) {
    case "undefined":
      return "<nil>";
    case "string":
      return "string";
    case "boolean":
      return "bool";
    case "number":
      return isGoInt(v) ? "int" : "float64";
    case "bigint":
      return "int";
    case "function":
      return "func(...interface {}) interface {}";
    case "symbol":
      return "symbol";
  }
  if (typeof v !== "object" || v === null) return "<nil>";
  if (v instanceof NilPointer) return v.typeName;
  // Element types are guessed from the elements; a cycle means "don't know".
  if (seen.has(v)) return "interface {}";
  seen.add(v);
  if (Array.isArray(v)) return "[]" + commonTypeName(v, seen);
  if (v instanceof Uint8Array) return "[]uint8";
  if (v instanceof Map) return `map[${commonTypeName(v.keys(), seen)}]${commonTypeName(v.values(), seen)}`;
  if (v instanceof Error) return "*errors.errorString";
  const ctor = ctorOf(v);
  const declared = staticString(ctor, "goType");
  if (declared) return declared;
  if (typeof ctor === "function" && ctor !== Object && ctor.name) return ctor.name;
  // A plain object: render it as Go renders an anonymous struct type.
  const fields = Object.keys(v).map((k) => `${k} ${goTypeName((v as Record<string, unknown>)[k], seen)}`);
  return fields.length === 0 ? "struct {}" : `struct { ${fields.join("; ")} }`;
}

/** Order of map keys when ranging/printing (Go's internal/fmtsort). */
export function compareKeys(a: unknown, b: unknown): number {
  if (typeof a === "string" && typeof b === "string") return compareStrings(a, b);
  if ((typeof a === "number" || typeof a === "bigint") && (typeof b === "number" || typeof b === "bigint")) {
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (typeof a === "boolean" && typeof b === "boolean") return a === b ? 0 : a ? 1 : -1;
  const ta = typeof a;
  const tb = typeof b;
  return ta < tb ? -1 : ta > tb ? 1 : 0;
}

/** The map's entries sorted by key, as Go's range and fmt do. */
export function sortedEntries(m: Map<unknown, unknown>): [unknown, unknown][] {
  const entries = Array.from(m.entries());
  entries.sort((x, y) => compareKeys(x[0], y[0]));
  return entries;
}
