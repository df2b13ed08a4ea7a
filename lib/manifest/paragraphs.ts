// The lexical layer of a library file: comment stripping, clear-signed bodies and RFC 2822
// paragraphs, with the exact quirks of bashbrew's stripper and go-debian's paragraph reader
// (spec: manifest-format.md §2). Every line keeps its 1-based line number in the source file so
// that errors can point at it.
import { isGoSpace, trimGoSpace, trimGoSpaceRight } from './gostr.js';

export interface SourceLine {
  /** The line including its terminating "\n" (a final unterminated line gets none here). */
  text: string;
  /** 1-based line number in the original file. */
  line: number;
}

export interface Paragraph {
  /** Raw values after continuation handling; the last duplicate key wins. */
  values: Map<string, string>;
  /** Keys in order of appearance, duplicates repeated (go-debian's Order). */
  order: string[];
  /** Line of each key's (last) key line. */
  keyLines: Map<string, number>;
  /** Line of the paragraph's first key line. */
  line: number;
}

export class LexError extends Error {
  constructor(message: string, readonly line: number | null) {
    super(message);
  }
}

/** Splits text into lines (each with its "\n") and drops comment lines (§2.1). */
export function stripComments(text: string): SourceLine[] {
  const out: SourceLine[] = [];
  let pos = 0;
  let lineNo = 0;
  const n = text.length;
  while (pos < n) {
    let end = text.indexOf('\n', pos);
    end = end < 0 ? n : end + 1;
    lineNo++;
    let i = pos;
    // leading Unicode whitespace, then '#': a comment (the whole line, newline included, goes)
    while (i < end && isGoSpace(text.charCodeAt(i))) i++;
    if (i >= end || text.charCodeAt(i) !== 0x23 /* # */) out.push({ text: text.slice(pos, end), line: lineNo });
    pos = end;
  }
  return out;
}

const SIGNED_START = '-----BEGIN PGP SIGNED MESSAGE-----';
const SIGNATURE_BEGIN = '-----BEGIN PGP SIGNATURE-----';
const SIGNATURE_END = '\n-----END PGP SIGNATURE-----';

/** One line of `data` from `pos` without its line ending ("\n" or "\r\n"), as x/crypto's getLine. */
function getLine(data: string, pos: number): [line: string, next: number] {
  const i = data.indexOf('\n', pos);
  if (i < 0) return [data.slice(pos), data.length];
  const lineEnd = i > pos && data.charCodeAt(i - 1) === 0x0d ? i - 1 : i;
  return [data.slice(pos, lineEnd), i + 1];
}

/** Whether the armoured signature has the structure x/crypto's armor.Decode accepts. */
function armourIsValid(armoured: string): boolean {
  const lines = armoured.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  let i = 0;
  for (;;) {
    // skip garbage up to a "-----BEGIN X-----" line
    for (; i < lines.length; i++) {
      const t = trimGoSpace(lines[i]!);
      if (t.length > 16 && t.startsWith('-----BEGIN ')) break;
    }
    if (i >= lines.length) return false;
    i++;
    let restart = false;
    for (; ; i++) {
      if (i >= lines.length || (i === lines.length - 1 && lines[i] === '')) return false; // EOF inside headers
      const t = trimGoSpace(lines[i]!);
      if (t === '') return true;
      if (!t.includes(': ')) {
        restart = true;
        i++;
        break;
      }
    }
    if (!restart) return false;
  }
}

/**
 * Decodes a clear-signed message (x/crypto/openpgp/clearsign.Decode semantics, signature not
 * verified, §2.8). Returns the signed body with CRLF line breaks, or null when the structure is invalid.
 */
export function decodeClearsigned(data: string): { body: string; bodyStartLine: number } | null {
  let pos: number;
  if (data.startsWith(SIGNED_START)) pos = SIGNED_START.length;
  else {
    const i = data.indexOf('\n' + SIGNED_START);
    if (i < 0) return null;
    pos = i + 1 + SIGNED_START.length;
  }
  let line: string;
  [line, pos] = getLine(data, pos);
  if (line.length !== 0) return null;
  let lineNo = 2;
  for (;;) {
    if (pos >= data.length) return null;
    [line, pos] = getLine(data, pos);
    lineNo++;
    if (line.length === 0) break;
    for (let k = 0; k < line.length; k++) {
      const c = line.charCodeAt(k);
      if (c < 0x20 || c > 0x7e) return null;
    }
    const colon = line.indexOf(':');
    if (colon < 0 || line.slice(0, colon).trim() !== 'Hash') return null;
  }
  const bodyStartLine = lineNo + 1;
  const body: string[] = [];
  for (;;) {
    const start = pos;
    [line, pos] = getLine(data, pos);
    if (line.length === 0 && pos >= data.length) return null;
    if (line === SIGNATURE_BEGIN) {
      pos = start;
      break;
    }
    if (line.startsWith('- ')) line = line.slice(2);
    body.push(line.replace(/[ \t]+$/, ''));
  }
  const rest = data.slice(pos);
  let end = rest.indexOf(SIGNATURE_END);
  if (end < 0) return null;
  end += SIGNATURE_END.length;
  while (end < rest.length && (rest[end] === '\r' || rest[end] === '\n')) end++;
  if (!armourIsValid(rest.slice(0, end))) return null;
  return { body: body.join('\r\n'), bodyStartLine };
}

/** Turns library-file text into source lines, unwrapping a clear-signed body when present. */
export function sourceLines(text: string): SourceLine[] {
  const stripped = stripComments(text);
  if (stripped.length > 0 && stripped[0]!.text.startsWith('-----BEGIN PGP ')) {
    const joined = stripped.map((l) => l.text).join('');
    const decoded = decodeClearsigned(joined);
    if (decoded === null) throw new LexError('Invalid clearsigned input', stripped[0]!.line);
    const first = stripped[0]!.line;
    return decoded.body.split('\n').map((t, i, all) => ({
      text: i < all.length - 1 ? t + '\n' : t,
      line: first + decoded.bodyStartLine - 1 + i,
    })).filter((l) => l.text !== '');
  }
  return stripped;
}

/**
 * Reads paragraphs lazily (go-debian's ParagraphReader.Next): a "Bad line" error is raised only
 * when its paragraph is reached, so earlier paragraphs' validation errors win (§5).
 */
export function* readParagraphs(lines: readonly SourceLine[]): Generator<Paragraph> {
  let para: Paragraph = newParagraph();
  let lastKey = '';
  for (const src of lines) {
    let text = src.text;
    if (!text.endsWith('\n')) text += '\n';
    if (text === '\n' || text === '\r\n') {
      if (para.order.length === 0) continue;
      yield para;
      para = newParagraph();
      lastKey = '';
      continue;
    }
    const first = text.charCodeAt(0);
    if (first === 0x23 /* # */) continue;
    if (first === 0x20 || first === 0x09) {
      let cont = trimGoSpaceRight(text.slice(1));
      if (cont === '.') cont = '';
      const prev = para.values.get(lastKey) ?? '';
      if (prev === '') para.values.set(lastKey, cont + '\n');
      else para.values.set(lastKey, (prev.endsWith('\n') ? prev : prev + '\n') + cont + '\n');
      continue;
    }
    const colon = text.indexOf(':');
    if (colon < 0) throw new LexError(`Bad line: '${text}' has no ':'`, src.line);
    lastKey = trimGoSpace(text.slice(0, colon));
    if (para.order.length === 0) para.line = src.line;
    para.order.push(lastKey);
    para.values.set(lastKey, trimGoSpace(text.slice(colon + 1)));
    para.keyLines.set(lastKey, src.line);
  }
  if (para.order.length > 0) yield para;
}

function newParagraph(): Paragraph {
  return { values: new Map(), order: [], keyLines: new Map(), line: 0 };
}
