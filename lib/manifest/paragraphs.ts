// The lexical layer of a library file: comment stripping, clear-signed bodies and RFC 2822
// paragraphs, with the exact quirks of bashbrew's stripper and go-debian's paragraph reader
// (spec: manifest-format.md §2). Every line keeps its 1-based line number in the source file so
// that errors can point at it.
import { isGoSpace, trimGoSpace, trimGoSpaceRight } from './gostr.js';

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

/** Whether the line [start, end) is a comment: '#' after leading Unicode whitespace (§2.1). */
function isCommentLine(text: string, start: number, end: number): boolean {
  let i = start;
  while (i < end && isGoSpace(text.charCodeAt(i))) i++;
  return i < end && text.charCodeAt(i) === 0x23;
}

export interface LexResult {
  /** Complete paragraphs, in order, up to the first lexical error. */
  paragraphs: Paragraph[];
  /** The error that stopped reading (reported once the paragraphs before it are used), or null. */
  error: LexError | null;
}

/**
 * Strips comments and reads paragraphs in one pass over the text (go-debian's ParagraphReader
 * behind bashbrew's comment stripper). Reading is eager, but an error is only surfaced after the
 * paragraphs before it, exactly as the lazy reader of the reference would.
 */
export function lexParagraphs(text: string, lineBase = 0): LexResult {
  const paragraphs: Paragraph[] = [];
  const n = text.length;
  let para = newParagraph();
  let lastKey = '';
  let pos = 0;
  let lineNo = lineBase;
  let first = true;
  while (pos < n) {
    const nl = text.indexOf('\n', pos);
    const contentEnd = nl < 0 ? n : nl;
    const end = nl < 0 ? n : nl + 1;
    lineNo++;
    const c = text.charCodeAt(pos);
    // fast path: most lines start with a letter; only '#' or whitespace can start a comment
    if (c === 0x23 || ((c <= 0x20 || c >= 0x80) && isCommentLine(text, pos, contentEnd))) {
      pos = end;
      continue;
    }
    if (first) {
      first = false;
      if (text.startsWith('-----BEGIN PGP ', pos)) return lexClearsigned(text, pos, lineNo);
    }
    const line = lineNo;
    if (contentEnd === pos || (contentEnd === pos + 1 && c === 0x0d)) {
      // a blank line ("\n" or "\r\n") ends a paragraph that has keys
      if (para.order.length > 0) {
        paragraphs.push(para);
        para = newParagraph();
        lastKey = '';
      }
    } else if (c === 0x20 || c === 0x09) {
      let cont = trimGoSpaceRight(text.slice(pos + 1, contentEnd));
      if (cont === '.') cont = '';
      const prev = para.values.get(lastKey) ?? '';
      if (prev === '') para.values.set(lastKey, cont + '\n');
      else para.values.set(lastKey, (prev.endsWith('\n') ? prev : prev + '\n') + cont + '\n');
    } else {
      const colon = text.indexOf(':', pos);
      if (colon < 0 || colon >= contentEnd) {
        return { paragraphs, error: new LexError(`Bad line: '${text.slice(pos, contentEnd)}\n' has no ':'`, line) };
      }
      lastKey = trimGoSpace(text.slice(pos, colon));
      if (para.order.length === 0) para.line = line;
      para.order.push(lastKey);
      para.values.set(lastKey, trimGoSpace(text.slice(colon + 1, contentEnd)));
      para.keyLines.set(lastKey, line);
    }
    pos = end;
  }
  if (para.order.length > 0) paragraphs.push(para);
  return { paragraphs, error: null };
}

/** The clear-signed case (§2.8): decode the body of the comment-stripped text, then lex it. */
function lexClearsigned(text: string, start: number, startLine: number): LexResult {
  let stripped = '';
  for (let pos = start; pos < text.length;) {
    const nl = text.indexOf('\n', pos);
    const end = nl < 0 ? text.length : nl + 1;
    if (!isCommentLine(text, pos, end)) stripped += text.slice(pos, end);
    pos = end;
  }
  const decoded = decodeClearsigned(stripped);
  if (decoded === null) return { paragraphs: [], error: new LexError('Invalid clearsigned input', startLine) };
  return lexParagraphs(decoded.body, startLine + decoded.bodyStartLine - 2);
}

function newParagraph(): Paragraph {
  return { values: new Map(), order: [], keyLines: new Map(), line: 0 };
}
