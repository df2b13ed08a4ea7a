// Strict JSON decoding of the OCI structures the way the reference decodes them: Go's
// encoding/json with DisallowUnknownFields into the image-spec (v1.1) types. So, like Go:
//   * an unknown field is an error (`json: unknown field "x"`);
//   * field names match case-insensitively (an exact match would win; both fill the same field);
//   * null leaves a field at its zero value (here: absent);
//   * a value of the wrong JSON type is an error worded like Go's UnmarshalTypeError;
//   * integers must be integers (`1.5` into an int64 is an error);
//   * nothing may follow the value (JSON.parse already refuses that).
// What comes back is a plain object with the canonical field names; absent fields are missing.

export type Schema =
  | { kind: 'string'; goType?: string }
  | { kind: 'int'; goType: 'int' | 'int64' }
  | { kind: 'bytes' }
  | { kind: 'array'; of: Schema; goType: string }
  | { kind: 'map'; of: Schema; goType: string }
  | { kind: 'struct'; goType: string; fields: () => Record<string, Schema> };

/** A JSON value that does not fit (Go's UnmarshalTypeError / SyntaxError text). */
export class JSONDecodeError extends Error {}

const STRING: Schema = { kind: 'string' };
const STRINGS: Schema = { kind: 'array', of: STRING, goType: '[]string' };
const STRING_MAP: Schema = { kind: 'map', of: STRING, goType: 'map[string]string' };

export const PLATFORM: Schema = {
  kind: 'struct',
  goType: 'v1.Platform',
  fields: () => ({ architecture: STRING, os: STRING, 'os.version': STRING, 'os.features': STRINGS, variant: STRING }),
};

export const DESCRIPTOR: Schema = {
  kind: 'struct',
  goType: 'v1.Descriptor',
  fields: () => ({
    mediaType: STRING,
    digest: { kind: 'string', goType: 'digest.Digest' },
    size: { kind: 'int', goType: 'int64' },
    urls: STRINGS,
    annotations: STRING_MAP,
    data: { kind: 'bytes' },
    platform: PLATFORM,
    artifactType: STRING,
  }),
};

const DESCRIPTORS: Schema = { kind: 'array', of: DESCRIPTOR, goType: '[]v1.Descriptor' };

export const IMAGE_LAYOUT: Schema = {
  kind: 'struct',
  goType: 'v1.ImageLayout',
  fields: () => ({ imageLayoutVersion: STRING }),
};

export const INDEX: Schema = {
  kind: 'struct',
  goType: 'v1.Index',
  fields: () => ({
    schemaVersion: { kind: 'int', goType: 'int' },
    mediaType: STRING,
    artifactType: STRING,
    manifests: DESCRIPTORS,
    subject: DESCRIPTOR,
    annotations: STRING_MAP,
  }),
};

export const MANIFEST: Schema = {
  kind: 'struct',
  goType: 'v1.Manifest',
  fields: () => ({
    schemaVersion: { kind: 'int', goType: 'int' },
    mediaType: STRING,
    artifactType: STRING,
    config: DESCRIPTOR,
    layers: DESCRIPTORS,
    subject: DESCRIPTOR,
    annotations: STRING_MAP,
  }),
};

/** Parses and checks `text` against `schema`; null (or a null top level) gives undefined. */
export function decodeStrict(text: string, schema: Schema): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new JSONDecodeError((err as Error).message);
  }
  return decodeValue(value, schema, { struct: '', path: [] });
}

interface Context {
  /** The innermost struct type being filled, and the JSON field names from the top (Go's errorContext). */
  struct: string;
  path: string[];
}

function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'object';
  if (typeof value === 'boolean') return 'bool';
  return typeof value; // string, number
}

function typeError(what: string, goType: string, ctx: Context): JSONDecodeError {
  const where = ctx.path.length > 0 ? `Go struct field ${ctx.struct}.${ctx.path.join('.')}` : 'Go value';
  return new JSONDecodeError(`json: cannot unmarshal ${what} into ${where} of type ${goType}`);
}

function goTypeOf(schema: Schema): string {
  switch (schema.kind) {
    case 'string': return schema.goType ?? 'string';
    case 'bytes': return '[]uint8';
    default: return schema.goType;
  }
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function decodeValue(value: unknown, schema: Schema, ctx: Context): unknown {
  if (value === null) return undefined;
  const kind = jsonKind(value);
  switch (schema.kind) {
    case 'string':
      if (typeof value !== 'string') throw typeError(kind, goTypeOf(schema), ctx);
      return value;
    case 'bytes':
      if (typeof value !== 'string') throw typeError(kind, goTypeOf(schema), ctx);
      if (!BASE64.test(value)) throw new JSONDecodeError(`illegal base64 data in ${ctx.struct}.${ctx.path.join('.')}`);
      return value;
    case 'int':
      if (typeof value !== 'number') throw typeError(kind, schema.goType, ctx);
      if (!Number.isSafeInteger(value)) {
        throw typeError(`number ${String(value)}`, schema.goType, ctx);
      }
      return value;
    case 'array':
      if (!Array.isArray(value)) throw typeError(kind, schema.goType, ctx);
      return value.map((item: unknown) => {
        const decoded = decodeValue(item, schema.of, ctx);
        // Go leaves a null element at its zero value
        return decoded === undefined ? zeroValue(schema.of) : decoded;
      });
    case 'map': {
      if (kind !== 'object') throw typeError(kind, schema.goType, ctx);
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        const decoded = decodeValue(v, schema.of, ctx);
        out[k] = decoded === undefined ? zeroValue(schema.of) : decoded;
      }
      return out;
    }
    case 'struct': {
      if (kind !== 'object') throw typeError(kind, schema.goType, ctx);
      const fields = schema.fields();
      const names = Object.keys(fields);
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        const name = names.find((n) => n === k) ?? names.find((n) => foldEqual(n, k));
        if (name === undefined) throw new JSONDecodeError(`json: unknown field ${JSON.stringify(k)}`);
        const decoded = decodeValue(v, fields[name]!, { struct: schema.goType.replace(/^v1\./, ''), path: [...ctx.path, name] });
        if (decoded === undefined) {
          // null: Go leaves the field as it was (a later duplicate may still set it)
          continue;
        }
        out[name] = decoded;
      }
      return out;
    }
  }
}

function zeroValue(schema: Schema): unknown {
  switch (schema.kind) {
    case 'string': case 'bytes': return '';
    case 'int': return 0;
    case 'array': return [];
    case 'map': return {};
    case 'struct': return {};
  }
}

/** Go's case folding for field names (ASCII; plus the two non-ASCII folds of ASCII letters). */
function foldEqual(a: string, b: string): boolean {
  if (a.length !== b.length && !/[\u017f\u212a]/.test(b)) return false;
  const fold = (s: string) => s.replace(/\u017f/g, 's').replace(/\u212a/g, 'k').toLowerCase();
  return fold(a) === fold(b);
}
