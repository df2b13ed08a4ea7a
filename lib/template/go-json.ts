// Go encoding/json output for the values templates see: Maps as objects with sorted keys, a
// value's toJSON() as its marshalled form, and Go's HTML-safe escaping of < > & U+2028 U+2029.
import { compareBytes } from '../manifest/entry.js';

function goString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

export function goJSON(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'string': return goString(v);
    case 'number': return Number.isFinite(v) ? JSON.stringify(v) : 'null';
    case 'boolean': return v ? 'true' : 'false';
    case 'bigint': return v.toString();
    case 'function': throw new Error('json: unsupported type: func');
    default: break;
  }
  if (Array.isArray(v)) return '[' + v.map(goJSON).join(',') + ']';
  if (v instanceof Map) {
    const keys = [...v.keys()].map(String).sort(compareBytes);
    return '{' + keys.map((k) => goString(k) + ':' + goJSON(v.get(k))).join(',') + '}';
  }
  const obj = v as { toJSON?: () => unknown };
  if (typeof obj.toJSON === 'function') return goJSON(obj.toJSON());
  return '{' + Object.entries(v as Record<string, unknown>)
    .filter(([, val]) => typeof val !== 'function')
    .map(([k, val]) => goString(k) + ':' + goJSON(val)).join(',') + '}';
}
