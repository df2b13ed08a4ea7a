// A small, deterministic YAML writer for generated pipelines: block maps and sequences, every
// string double-quoted with escapes (so no value can turn into another type, a comment, an
// anchor or extra structure), keys plain when they are plain identifiers.

export type YAMLValue = string | number | boolean | null | readonly YAMLValue[] | { readonly [key: string]: YAMLValue };

const NAMED_ESCAPES: Record<number, string> = {
  0x00: '\\0', 0x07: '\\a', 0x08: '\\b', 0x09: '\\t', 0x0a: '\\n', 0x0b: '\\v', 0x0c: '\\f', 0x0d: '\\r',
  0x1b: '\\e', 0x22: '\\"', 0x5c: '\\\\',
};

/** Whether YAML 1.2 allows the code point unescaped in a double-quoted scalar (c-printable). */
function printable(c: number): boolean {
  return (c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xd7ff && c !== 0x2028 && c !== 0x2029)
    || (c >= 0xe000 && c <= 0xfffd && c !== 0xfeff) || (c >= 0x10000 && c <= 0x10ffff);
}

/** A double-quoted YAML scalar. */
export function yamlString(s: string): string {
  let out = '"';
  for (const ch of s) {
    let c = ch.codePointAt(0)!;
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd; // a lone surrogate cannot be written
    const named = NAMED_ESCAPES[c];
    if (named !== undefined) out += named;
    else if (printable(c)) out += String.fromCodePoint(c);
    else if (c <= 0xff) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += '\\u' + c.toString(16).padStart(4, '0');
  }
  return out + '"';
}

function key(k: string): string {
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(k) && !/^(?:true|false|null|yes|no|on|off|y|n)$/i.test(k) ? k : yamlString(k);
}

function isBlock(v: YAMLValue): v is readonly YAMLValue[] | { readonly [key: string]: YAMLValue } {
  if (v === null || typeof v !== 'object') return false;
  return Array.isArray(v) ? v.length > 0 : Object.keys(v).length > 0;
}

function scalar(v: YAMLValue): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return yamlString(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`cannot write ${v} as YAML`);
    return String(v);
  }
  return Array.isArray(v) ? '[]' : '{}';
}

function block(v: readonly YAMLValue[] | { readonly [key: string]: YAMLValue }, indent: number): string[] {
  const pad = ' '.repeat(indent);
  const lines: string[] = [];
  if (Array.isArray(v)) {
    for (const item of v as readonly YAMLValue[]) {
      if (!isBlock(item)) {
        lines.push(`${pad}- ${scalar(item)}`);
        continue;
      }
      const inner = block(item, indent + 2);
      lines.push(`${pad}- ${inner[0]!.slice(indent + 2)}`, ...inner.slice(1));
    }
    return lines;
  }
  for (const [k, item] of Object.entries(v as { readonly [key: string]: YAMLValue })) {
    if (isBlock(item)) lines.push(`${pad}${key(k)}:`, ...block(item, indent + 2));
    else lines.push(`${pad}${key(k)}: ${scalar(item)}`);
  }
  return lines;
}

/** The YAML document of a map or sequence (ends with a newline). */
export function toYAML(v: YAMLValue): string {
  return (isBlock(v) ? block(v, 0).join('\n') : scalar(v)) + '\n';
}
