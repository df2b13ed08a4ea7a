// JSON text exactly as jq 1.6 prints it: `jq -c` (compact) or `jq .` (two-space indent), with
// jq's string escapes (\b \f \n \r \t, other controls and DEL as lowercase \u00XX, everything
// else as UTF-8; "/" unescaped). Object members in insertion order.

export type JSONValue = string | number | boolean | null | JSONValue[] | { [key: string]: JSONValue };

function dumpString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c >= 0x20 && c <= 0x7e) out += c === 0x22 || c === 0x5c ? '\\' + ch : ch;
    else if (c < 0x20 || c === 0x7f) {
      switch (c) {
        case 0x08: out += '\\b'; break;
        case 0x09: out += '\\t'; break;
        case 0x0a: out += '\\n'; break;
        case 0x0c: out += '\\f'; break;
        case 0x0d: out += '\\r'; break;
        default: out += '\\u' + c.toString(16).padStart(4, '0');
      }
    } else if (c >= 0xd800 && c <= 0xdfff) out += '\ufffd'; // a lone surrogate: jq reads it as U+FFFD
    else out += ch;
  }
  return out + '"';
}

function dump(v: JSONValue, indent: number, level: number): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return dumpString(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`cannot print ${v} as JSON`);
    return JSON.stringify(v);
  }
  const pad = indent > 0 ? '\n' + ' '.repeat(indent * (level + 1)) : '';
  const end = indent > 0 ? '\n' + ' '.repeat(indent * level) : '';
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return '[' + v.map((x) => pad + dump(x, indent, level + 1)).join(',') + end + ']';
  }
  const keys = Object.keys(v);
  if (keys.length === 0) return '{}';
  const sep = indent > 0 ? ': ' : ':';
  return '{' + keys.map((k) => pad + dumpString(k) + sep + dump(v[k]!, indent, level + 1)).join(',') + end + '}';
}

/** `jq -c .` (indent 0) or `jq .` (indent 2) of a value, without the trailing newline. */
export function jqJSON(value: JSONValue, indent = 0): string {
  return dump(value, indent, 0);
}

/** jq's `@sh` for a string: single-quoted, each `'` written `'\''`. */
export function shQuote(s: string): string {
  return "'" + s.replace(/'/g, "'\\''") + "'";
}
