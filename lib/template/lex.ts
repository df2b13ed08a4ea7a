// Lexer for Go's text/template language: a direct port of
// text/template/parse/lex.go (Go 1.2x, the non-goroutine version), so that
// tokens, their positions and line numbers — and therefore every parse error
// message — are exactly Go's.
//
// Positions are indexes into the JS string (UTF-16 code units), not UTF-8
// byte offsets; only error columns need bytes, and those are converted when
// the message is built (see errorContext in exec.ts).

import { sprintf } from "./fmt.js";
import { quote } from "./strconv.js";
import { byteLength, isDigit, isLetter } from "./unicode.js";

export enum ItemType {
  Error, // error occurred; value is text of error
  Bool, // boolean constant
  Char, // printable ASCII character; grab bag for comma etc.
  CharConstant, // character constant
  Comment, // comment text
  Complex, // complex constant (1+2i); imaginary is just a number
  Assign, // equals ('=') introducing an assignment
  Declare, // colon-equals (':=') introducing a declaration
  EOF,
  Field, // alphanumeric identifier starting with '.'
  Identifier, // alphanumeric identifier not starting with '.'
  LeftDelim, // left action delimiter
  LeftParen, // '(' inside action
  Number, // simple number, including imaginary
  Pipe, // pipe symbol
  RawString, // raw quoted string (includes quotes)
  RightDelim, // right action delimiter
  RightParen, // ')' inside action
  Space, // run of spaces separating arguments
  String, // quoted string (includes quotes)
  Text, // plain text
  Variable, // variable starting with '$', such as '$' or  '$1' or '$hello'
  // Keywords appear after all the rest.
  Keyword, // used only to delimit the keywords
  Block,
  Break,
  Continue,
  Dot,
  Define,
  Else,
  End,
  If,
  Nil,
  Range,
  Template,
  With,
}

export interface Item {
  typ: ItemType;
  /** Start index of the item in the input. */
  pos: number;
  val: string;
  /** Line number (1-based) at the start of the item. */
  line: number;
}

const KEY: ReadonlyMap<string, ItemType> = new Map([
  [".", ItemType.Dot],
  ["block", ItemType.Block],
  ["break", ItemType.Break],
  ["continue", ItemType.Continue],
  ["define", ItemType.Define],
  ["else", ItemType.Else],
  ["end", ItemType.End],
  ["if", ItemType.If],
  ["range", ItemType.Range],
  ["nil", ItemType.Nil],
  ["template", ItemType.Template],
  ["with", ItemType.With],
]);

/** Go's item.String(), used in "unexpected X in Y" parse errors. */
export function itemString(i: Item): string {
  if (i.typ === ItemType.EOF) return "EOF";
  if (i.typ === ItemType.Error) return i.val;
  if (i.typ > ItemType.Keyword) return `<${i.val}>`;
  if (byteLength(i.val) > 10) return sprintf("%.10q...", i.val);
  return quote(i.val);
}

const EOF_RUNE = -1;
const LEFT_DELIM = "{{";
const RIGHT_DELIM = "}}";
const LEFT_COMMENT = "/*";
const RIGHT_COMMENT = "*/";
/** Length of a trim marker plus its adjacent space: "- " or " -". */
const TRIM_MARKER_LEN = 2;

type StateFn = (l: Lexer) => StateFn | null;

export interface LexOptions {
  emitComment: boolean; // emit Comment tokens
  breakOK: boolean; // break keyword allowed
  continueOK: boolean; // continue keyword allowed
}

function isSpace(r: number): boolean {
  return r === 0x20 || r === 0x09 || r === 0x0d || r === 0x0a;
}

function isAlphaNumeric(r: number): boolean {
  return r === 0x5f || isLetter(r) || isDigit(r);
}

function hasLeftTrimMarker(s: string, i: number): boolean {
  return s.length - i >= 2 && s.charCodeAt(i) === 0x2d && isSpace(s.charCodeAt(i + 1));
}

function hasRightTrimMarker(s: string, i: number): boolean {
  return s.length - i >= 2 && isSpace(s.charCodeAt(i)) && s.charCodeAt(i + 1) === 0x2d;
}

function isTrimSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
}

function countNewlines(s: string, start: number, end: number): number {
  let n = 0;
  for (let i = s.indexOf("\n", start); i >= 0 && i < end; i = s.indexOf("\n", i + 1)) n++;
  return n;
}

/** Format a rune like Go's %#U ("U+0041 'A'"), for lexer error messages. */
function runeU(r: number): string {
  return sprintf("%#U", r);
}

export class Lexer {
  input: string;
  pos = 0; // current position in the input
  start = 0; // start position of this item
  atEOF = false; // we have hit the end of input and returned eof
  parenDepth = 0; // nesting depth of ( ) exprs
  line = 1; // 1+number of newlines seen
  startLine = 1; // start line of this item
  item: Item; // item to return to parser
  insideAction = false; // are we inside an action?
  options: LexOptions = { emitComment: false, breakOK: true, continueOK: true };

  constructor(
    readonly name: string,
    input: string,
  ) {
    this.input = input;
    this.item = { typ: ItemType.EOF, pos: 0, val: "EOF", line: 1 };
  }

  /** Returns the next rune (code point) in the input, or EOF_RUNE. */
  next(): number {
    if (this.pos >= this.input.length) {
      this.atEOF = true;
      return EOF_RUNE;
    }
    const r = this.input.codePointAt(this.pos) as number;
    this.pos += r > 0xffff ? 2 : 1;
    if (r === 0x0a) this.line++;
    return r;
  }

  peek(): number {
    const r = this.next();
    this.backup();
    return r;
  }

  /** Steps back one rune. */
  backup(): void {
    if (!this.atEOF && this.pos > 0) {
      const c = this.input.charCodeAt(this.pos - 1);
      let w = 1;
      if (c >= 0xdc00 && c <= 0xdfff && this.pos >= 2) {
        const h = this.input.charCodeAt(this.pos - 2);
        if (h >= 0xd800 && h <= 0xdbff) w = 2;
      }
      this.pos -= w;
      if (c === 0x0a) this.line--;
    }
  }

  thisItem(t: ItemType): Item {
    const i: Item = { typ: t, pos: this.start, val: this.input.slice(this.start, this.pos), line: this.startLine };
    this.start = this.pos;
    this.startLine = this.line;
    return i;
  }

  emit(t: ItemType): StateFn | null {
    return this.emitItem(this.thisItem(t));
  }

  emitItem(i: Item): StateFn | null {
    this.item = i;
    return null;
  }

  /** Skips over the pending input (which was passed without next(), so count its newlines). */
  ignore(): void {
    this.line += countNewlines(this.input, this.start, this.pos);
    this.start = this.pos;
    this.startLine = this.line;
  }

  accept(valid: string): boolean {
    const r = this.next();
    if (r !== EOF_RUNE && valid.includes(String.fromCodePoint(r))) return true;
    this.backup();
    return false;
  }

  acceptRun(valid: string): void {
    for (;;) {
      const r = this.next();
      if (r === EOF_RUNE || !valid.includes(String.fromCodePoint(r))) break;
    }
    this.backup();
  }

  /** Emits an error token and stops the scan (the rest of the input is dropped). */
  errorf(msg: string): StateFn | null {
    this.item = { typ: ItemType.Error, pos: this.start, val: msg, line: this.startLine };
    this.start = 0;
    this.pos = 0;
    this.input = "";
    return null;
  }

  nextItem(): Item {
    this.item = { typ: ItemType.EOF, pos: this.pos, val: "EOF", line: this.startLine };
    let state: StateFn | null = this.insideAction ? lexInsideAction : lexText;
    while (state) state = state(this);
    return this.item;
  }

  /** Reports whether the lexer is at a right delimiter, possibly preceded by a trim marker. */
  atRightDelim(): [delim: boolean, trimSpaces: boolean] {
    if (hasRightTrimMarker(this.input, this.pos) && this.input.startsWith(RIGHT_DELIM, this.pos + TRIM_MARKER_LEN)) {
      return [true, true];
    }
    if (this.input.startsWith(RIGHT_DELIM, this.pos)) return [true, false];
    return [false, false];
  }

  /**
   * Whether the input is at a valid termination character to appear after an
   * identifier. Breaks .X.Y into two pieces.
   */
  atTerminator(): boolean {
    const r = this.peek();
    if (isSpace(r)) return true;
    switch (r) {
      case EOF_RUNE:
      case 0x2e: // .
      case 0x2c: // ,
      case 0x7c: // |
      case 0x3a: // :
      case 0x29: // )
      case 0x28: // (
        return true;
    }
    return this.input.startsWith(RIGHT_DELIM, this.pos);
  }

  scanNumber(): boolean {
    this.accept("+-");
    let digits = "0123456789_";
    if (this.accept("0")) {
      // Note: leading 0 does not mean octal in floats.
      if (this.accept("xX")) digits = "0123456789abcdefABCDEF_";
      else if (this.accept("oO")) digits = "01234567_";
      else if (this.accept("bB")) digits = "01_";
    }
    this.acceptRun(digits);
    if (this.accept(".")) this.acceptRun(digits);
    if (digits.length === 10 + 1 && this.accept("eE")) {
      this.accept("+-");
      this.acceptRun("0123456789_");
    }
    if (digits.length === 16 + 6 + 1 && this.accept("pP")) {
      this.accept("+-");
      this.acceptRun("0123456789_");
    }
    this.accept("i");
    // Next thing mustn't be alphanumeric.
    if (isAlphaNumeric(this.peek())) {
      this.next();
      return false;
    }
    return true;
  }
}

// State functions.

/** Scans until an opening action delimiter, "{{". */
function lexText(l: Lexer): StateFn | null {
  const x = l.input.indexOf(LEFT_DELIM, l.pos);
  if (x >= 0) {
    if (x > l.pos) {
      l.pos = x;
      // Do we trim any trailing space?
      let trimLength = 0;
      const delimEnd = l.pos + LEFT_DELIM.length;
      if (hasLeftTrimMarker(l.input, delimEnd)) {
        let k = l.pos;
        while (k > l.start && isTrimSpace(l.input.charCodeAt(k - 1))) k--;
        trimLength = l.pos - k;
      }
      l.pos -= trimLength;
      l.line += countNewlines(l.input, l.start, l.pos);
      const i = l.thisItem(ItemType.Text);
      l.pos += trimLength;
      l.ignore();
      if (i.val.length > 0) return l.emitItem(i);
    }
    return lexLeftDelim;
  }
  l.pos = l.input.length;
  // Correctly reached EOF.
  if (l.pos > l.start) {
    l.line += countNewlines(l.input, l.start, l.pos);
    return l.emit(ItemType.Text);
  }
  return l.emit(ItemType.EOF);
}

function leftTrimLength(s: string, i: number): number {
  let k = i;
  while (k < s.length && isTrimSpace(s.charCodeAt(k))) k++;
  return k - i;
}

/** Scans the left delimiter, which is known to be present, possibly with a trim marker. */
function lexLeftDelim(l: Lexer): StateFn | null {
  l.pos += LEFT_DELIM.length;
  const trimSpace = hasLeftTrimMarker(l.input, l.pos);
  const afterMarker = trimSpace ? TRIM_MARKER_LEN : 0;
  if (l.input.startsWith(LEFT_COMMENT, l.pos + afterMarker)) {
    l.pos += afterMarker;
    l.ignore();
    return lexComment;
  }
  const i = l.thisItem(ItemType.LeftDelim);
  l.insideAction = true;
  l.pos += afterMarker;
  l.ignore();
  l.parenDepth = 0;
  return l.emitItem(i);
}

/** Scans a comment. The left comment marker is known to be present. */
function lexComment(l: Lexer): StateFn | null {
  l.pos += LEFT_COMMENT.length;
  const x = l.input.indexOf(RIGHT_COMMENT, l.pos);
  if (x < 0) return l.errorf("unclosed comment");
  l.pos = x + RIGHT_COMMENT.length;
  const [delim, trimSpace] = l.atRightDelim();
  if (!delim) return l.errorf("comment ends before closing delimiter");
  l.line += countNewlines(l.input, l.start, l.pos);
  const i = l.thisItem(ItemType.Comment);
  if (trimSpace) l.pos += TRIM_MARKER_LEN;
  l.pos += RIGHT_DELIM.length;
  if (trimSpace) l.pos += leftTrimLength(l.input, l.pos);
  l.ignore();
  if (l.options.emitComment) return l.emitItem(i);
  return lexText;
}

/** Scans the right delimiter, which is known to be present, possibly with a trim marker. */
function lexRightDelim(l: Lexer): StateFn | null {
  const [, trimSpace] = l.atRightDelim();
  if (trimSpace) {
    l.pos += TRIM_MARKER_LEN;
    l.ignore();
  }
  l.pos += RIGHT_DELIM.length;
  const i = l.thisItem(ItemType.RightDelim);
  if (trimSpace) {
    l.pos += leftTrimLength(l.input, l.pos);
    l.ignore();
  }
  l.insideAction = false;
  return l.emitItem(i);
}

/** Scans the elements inside action delimiters. */
function lexInsideAction(l: Lexer): StateFn | null {
  const [delim] = l.atRightDelim();
  if (delim) {
    if (l.parenDepth === 0) return lexRightDelim;
    return l.errorf("unclosed left paren");
  }
  const r = l.next();
  if (r === EOF_RUNE) return l.errorf("unclosed action");
  if (isSpace(r)) {
    l.backup(); // Put space back in case we have " -}}".
    return lexSpace;
  }
  switch (r) {
    case 0x3d: // =
      return l.emit(ItemType.Assign);
    case 0x3a: // :
      if (l.next() !== 0x3d) return l.errorf("expected :=");
      return l.emit(ItemType.Declare);
    case 0x7c: // |
      return l.emit(ItemType.Pipe);
    case 0x22: // "
      return lexQuote;
    case 0x60: // `
      return lexRawQuote;
    case 0x24: // $
      return lexVariable;
    case 0x27: // '
      return lexChar;
    case 0x2e: // .
      // Special look-ahead for ".field" so we don't break l.backup().
      if (l.pos < l.input.length) {
        const c = l.input.charCodeAt(l.pos);
        if (c < 0x30 || c > 0x39) return lexField;
      }
      // '.' can start a number.
      l.backup();
      return lexNumber;
    case 0x28: // (
      l.parenDepth++;
      return l.emit(ItemType.LeftParen);
    case 0x29: // )
      l.parenDepth--;
      if (l.parenDepth < 0) return l.errorf("unexpected right paren");
      return l.emit(ItemType.RightParen);
  }
  if (r === 0x2b || r === 0x2d || (r >= 0x30 && r <= 0x39)) {
    l.backup();
    return lexNumber;
  }
  if (isAlphaNumeric(r)) {
    l.backup();
    return lexIdentifier;
  }
  if (r < 0x80 && r >= 0x20 && r < 0x7f) return l.emit(ItemType.Char);
  return l.errorf(`unrecognized character in action: ${runeU(r)}`);
}

/**
 * Scans a run of space characters. The first space has not been consumed.
 * Take care if there is a trim-marked right delimiter, which starts with a space.
 */
function lexSpace(l: Lexer): StateFn | null {
  let numSpaces = 0;
  for (;;) {
    const r = l.peek();
    if (!isSpace(r)) break;
    l.next();
    numSpaces++;
  }
  // Be careful about a trim-marked closing delimiter, which has a minus
  // after a space. We know there is a space, so check for the '-' that might follow.
  if (hasRightTrimMarker(l.input, l.pos - 1) && l.input.startsWith(RIGHT_DELIM, l.pos - 1 + TRIM_MARKER_LEN)) {
    l.backup(); // Before the space.
    if (numSpaces === 1) return lexRightDelim; // On the delim, so go right to that.
  }
  return l.emit(ItemType.Space);
}

function lexIdentifier(l: Lexer): StateFn | null {
  for (;;) {
    const r = l.next();
    if (isAlphaNumeric(r)) continue;
    l.backup();
    const word = l.input.slice(l.start, l.pos);
    if (!l.atTerminator()) return l.errorf(`bad character ${runeU(r)}`);
    const kw = KEY.get(word);
    if (kw !== undefined && kw > ItemType.Keyword) {
      if ((kw === ItemType.Break && !l.options.breakOK) || (kw === ItemType.Continue && !l.options.continueOK)) {
        return l.emit(ItemType.Identifier);
      }
      return l.emit(kw);
    }
    if (word[0] === ".") return l.emit(ItemType.Field);
    if (word === "true" || word === "false") return l.emit(ItemType.Bool);
    return l.emit(ItemType.Identifier);
  }
}

function lexField(l: Lexer): StateFn | null {
  return lexFieldOrVariable(l, ItemType.Field);
}

function lexVariable(l: Lexer): StateFn | null {
  if (l.atTerminator()) return l.emit(ItemType.Variable); // Nothing interesting follows -> "$".
  return lexFieldOrVariable(l, ItemType.Variable);
}

/** Scans a field or variable: [.$]Alphanumeric. The . or $ has been scanned. */
function lexFieldOrVariable(l: Lexer, typ: ItemType): StateFn | null {
  if (l.atTerminator()) {
    // Nothing interesting follows -> "." or "$".
    return l.emit(typ === ItemType.Variable ? ItemType.Variable : ItemType.Dot);
  }
  let r: number;
  for (;;) {
    r = l.next();
    if (!isAlphaNumeric(r)) {
      l.backup();
      break;
    }
  }
  if (!l.atTerminator()) return l.errorf(`bad character ${runeU(r)}`);
  return l.emit(typ);
}

/** Scans a character constant. The initial quote is already scanned. */
function lexChar(l: Lexer): StateFn | null {
  for (;;) {
    let r = l.next();
    if (r === 0x5c) {
      r = l.next();
      if (r !== EOF_RUNE && r !== 0x0a) continue;
      return l.errorf("unterminated character constant");
    }
    if (r === EOF_RUNE || r === 0x0a) return l.errorf("unterminated character constant");
    if (r === 0x27) break;
  }
  return l.emit(ItemType.CharConstant);
}

/**
 * Scans a number: decimal, octal, hex, float, or imaginary. This isn't a
 * perfect number scanner — for instance it accepts "." and "0x0.2" and "089"
 * — but when it's wrong the input is invalid and the parser will notice.
 */
function lexNumber(l: Lexer): StateFn | null {
  if (!l.scanNumber()) return l.errorf(`bad number syntax: ${quote(l.input.slice(l.start, l.pos))}`);
  const sign = l.peek();
  if (sign === 0x2b || sign === 0x2d) {
    // Complex: 1+2i. No spaces, must end in 'i'.
    if (!l.scanNumber() || l.input[l.pos - 1] !== "i") {
      return l.errorf(`bad number syntax: ${quote(l.input.slice(l.start, l.pos))}`);
    }
    return l.emit(ItemType.Complex);
  }
  return l.emit(ItemType.Number);
}

function lexQuote(l: Lexer): StateFn | null {
  for (;;) {
    let r = l.next();
    if (r === 0x5c) {
      r = l.next();
      if (r !== EOF_RUNE && r !== 0x0a) continue;
      return l.errorf("unterminated quoted string");
    }
    if (r === EOF_RUNE || r === 0x0a) return l.errorf("unterminated quoted string");
    if (r === 0x22) break;
  }
  return l.emit(ItemType.String);
}

function lexRawQuote(l: Lexer): StateFn | null {
  for (;;) {
    const r = l.next();
    if (r === EOF_RUNE) return l.errorf("unterminated raw quoted string");
    if (r === 0x60) break;
  }
  return l.emit(ItemType.RawString);
}
