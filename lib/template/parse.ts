// Parser for Go's text/template language: a port of
// text/template/parse/parse.go. It keeps Go's three-token lookahead buffer
// and control flow so that the line reported in parse errors (the line of
// the most recently lexed token) and every message match Go's.

import { TemplateError } from "./errors.js";
import { Item, ItemType, itemString, Lexer } from "./lex.js";
import {
  ActionNode,
  BoolNode,
  BreakNode,
  ChainNode,
  CommandNode,
  CommentNode,
  ContinueNode,
  DotNode,
  ElseNode,
  EndNode,
  FieldNode,
  IdentifierNode,
  IfNode,
  ListNode,
  NilNode,
  Node,
  NodeType,
  NumberNode,
  PipeNode,
  RangeNode,
  StringNode,
  TemplateNode,
  TextNode,
  VariableNode,
  WithNode,
} from "./node.js";
import { parseFloat64, parseInt64, parseUint, quote, unquote, unquoteChar } from "./strconv.js";
import { goTrimSpace } from "./unicode.js";

/** Maximum depth of nested parenthesized expressions. */
const MAX_STACK_DEPTH = 10000;
/** Maximum number of commands in one pipeline. */
const MAX_PIPELINE_CMDS = 100000;

const EOF_ITEM: Item = { typ: ItemType.EOF, pos: 0, val: "", line: 0 };

/** A parsing failure inside Go's code that is reported through t.error(err). */
class ErrorValue extends Error {}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Go's parse.IsEmptyTree: a tree with nothing but space and comments. */
export function isEmptyTree(n: Node | null): boolean {
  if (n === null) return true;
  switch (n.type) {
    case NodeType.Comment:
      return true;
    case NodeType.List:
      return n.nodes.every(isEmptyTree);
    case NodeType.Text:
      return goTrimSpace(n.text).length === 0;
    default:
      return false;
  }
}

/** Builds a NumberNode the way Go's Tree.newNumber does; throws ErrorValue on bad syntax. */
function newNumber(tr: Tree, pos: number, text: string, typ: ItemType): NumberNode {
  const n = new NumberNode(tr, pos, text);
  if (typ === ItemType.CharConstant) {
    let u;
    try {
      u = unquoteChar(text, 1, 0x27);
    } catch (e) {
      throw new ErrorValue(errorMessage(e));
    }
    if (text.slice(u.next) !== "'") throw new ErrorValue(`malformed character constant: ${text}`);
    n.int64 = BigInt(u.value);
    n.uint64 = BigInt(u.value);
    n.float64 = u.value;
    n.isInt = n.isUint = n.isFloat = true;
    return n;
  }
  // Complex and imaginary constants parse, but the interpreter has no
  // complex type: using one is an execution error (see exec.ts).
  if (typ === ItemType.Complex) {
    n.isComplex = true;
    return n;
  }
  if (text.endsWith("i") && parseFloat64(text.slice(0, -1)) !== null) {
    n.isComplex = true;
    return n;
  }
  // Do integer test first so we get 0x123 etc.
  const u = parseUint(text);
  if (u !== null) {
    n.isUint = true;
    n.uint64 = u;
  }
  const i = parseInt64(text);
  if (i !== null) {
    n.isInt = true;
    n.int64 = i;
    if (i === 0n) {
      n.isUint = true; // in case of -0.
      n.uint64 = u ?? 0n;
    }
  }
  // If an integer extraction succeeded, promote the float.
  if (n.isInt) {
    n.isFloat = true;
    n.float64 = Number(n.int64);
  } else if (n.isUint) {
    n.isFloat = true;
    n.float64 = Number(n.uint64);
  } else {
    const f = parseFloat64(text);
    if (f !== null) {
      // If we parsed it as a float but it looks like an integer,
      // it's a huge number too large to fit in an int. Reject it.
      if (!/[.eEpP]/.test(text)) throw new ErrorValue(`integer overflow: ${quote(text)}`);
      n.isFloat = true;
      n.float64 = f;
      // If a floating-point extraction succeeded, extract the int if needed.
      if (Number.isInteger(f) && f >= -(2 ** 63) && f < 2 ** 63) {
        n.isInt = true;
        n.int64 = BigInt(f);
      }
      if (Number.isInteger(f) && f >= 0 && f < 2 ** 64) {
        n.isUint = true;
        n.uint64 = BigInt(f);
      }
    }
  }
  if (!n.isInt && !n.isUint && !n.isFloat) throw new ErrorValue(`illegal number syntax: ${quote(text)}`);
  return n;
}

/** A single parsed template (Go's parse.Tree). */
export class Tree {
  root: ListNode | null = null;
  /** Name of the top-level template during parsing, for error messages. */
  parseName: string;
  /** Text parsed to create the template (or its parent). */
  text = "";

  // Parsing only.
  private lex: Lexer | null = null;
  private token: [Item, Item, Item] = [EOF_ITEM, EOF_ITEM, EOF_ITEM];
  private peekCount = 0;
  private vars: string[] = [];
  private treeSet: Map<string, Tree> = new Map();
  private actionLine = 0; // line of left delim starting action
  private rangeDepth = 0;
  private stackDepth = 0;

  constructor(
    public name: string,
    private readonly hasFunction: (name: string) => boolean,
  ) {
    this.parseName = name;
  }

  // ---------------------------------------------------------------------
  // Token buffer.

  private get lexer(): Lexer {
    if (!this.lex) throw new Error("template: parser used after parsing");
    return this.lex;
  }

  private next(): Item {
    if (this.peekCount > 0) this.peekCount--;
    else this.token[0] = this.lexer.nextItem();
    return this.token[this.peekCount] as Item;
  }

  private backup(): void {
    this.peekCount++;
  }

  private backup2(t1: Item): void {
    this.token[1] = t1;
    this.peekCount = 2;
  }

  private backup3(t2: Item, t1: Item): void {
    // Reverse order: we're pushing back.
    this.token[1] = t1;
    this.token[2] = t2;
    this.peekCount = 3;
  }

  private peek(): Item {
    if (this.peekCount > 0) return this.token[this.peekCount - 1] as Item;
    this.peekCount = 1;
    this.token[0] = this.lexer.nextItem();
    return this.token[0];
  }

  private nextNonSpace(): Item {
    let token: Item;
    do {
      token = this.next();
    } while (token.typ === ItemType.Space);
    return token;
  }

  private peekNonSpace(): Item {
    const token = this.nextNonSpace();
    this.backup();
    return token;
  }

  // ---------------------------------------------------------------------
  // Errors.

  private errorf(msg: string): never {
    this.root = null;
    throw new TemplateError(`template: ${this.parseName}:${this.token[0].line}: ${msg}`);
  }

  private expect(expected: ItemType, context: string): Item {
    const token = this.nextNonSpace();
    if (token.typ !== expected) this.unexpected(token, context);
    return token;
  }

  private expectOneOf(expected1: ItemType, expected2: ItemType, context: string): Item {
    const token = this.nextNonSpace();
    if (token.typ !== expected1 && token.typ !== expected2) this.unexpected(token, context);
    return token;
  }

  private unexpected(token: Item, context: string): never {
    if (token.typ === ItemType.Error) {
      let extra = "";
      if (this.actionLine !== 0 && this.actionLine !== token.line) {
        extra = ` in action started at ${this.parseName}:${this.actionLine}`;
        if (token.val.endsWith(" action")) extra = extra.slice(" in action".length); // avoid "action in action"
      }
      this.errorf(`${itemString(token)}${extra}`);
    }
    this.errorf(`unexpected ${itemString(token)} in ${context}`);
  }

  private unquoteOrFail(s: string): string {
    try {
      return unquote(s);
    } catch (e) {
      this.errorf(errorMessage(e));
    }
  }

  // ---------------------------------------------------------------------
  // Entry points.

  private startParse(lex: Lexer, treeSet: Map<string, Tree>): void {
    this.root = null;
    this.lex = lex;
    this.vars = ["$"];
    this.treeSet = treeSet;
    this.stackDepth = 0;
    lex.options = {
      emitComment: false,
      breakOK: !this.hasFunction("break"),
      continueOK: !this.hasFunction("continue"),
    };
  }

  private stopParse(): void {
    this.lex = null;
    this.vars = [];
  }

  /** Parses text as the template named this.name, adding it and all {{define}}d templates to treeSet. */
  parse(text: string, treeSet: Map<string, Tree>): void {
    this.parseName = this.name;
    const lexer = new Lexer(this.name, text);
    this.startParse(lexer, treeSet);
    this.text = text;
    try {
      this.parseTop();
      this.add();
    } finally {
      this.stopParse();
    }
  }

  /** Adds the tree to treeSet, unless a non-empty tree of the same name is already there. */
  private add(): void {
    const tree = this.treeSet.get(this.name);
    if (!tree || isEmptyTree(tree.root)) {
      this.treeSet.set(this.name, this);
      return;
    }
    if (!isEmptyTree(this.root)) this.errorf(`template: multiple definition of template ${quote(this.name)}`);
  }

  private newChild(name: string): Tree {
    const t = new Tree(name, this.hasFunction);
    t.text = this.text;
    t.parseName = this.parseName;
    t.startParse(this.lexer, this.treeSet);
    return t;
  }

  /** Top level: like itemList, but also handles {{define}}; runs to EOF. */
  private parseTop(): void {
    this.root = new ListNode(this, this.peek().pos);
    while (this.peek().typ !== ItemType.EOF) {
      if (this.peek().typ === ItemType.LeftDelim) {
        const delim = this.next();
        if (this.nextNonSpace().typ === ItemType.Define) {
          const newT = this.newChild("definition"); // name will be updated once we know it.
          newT.parseDefinition();
          continue;
        }
        this.backup2(delim);
      }
      const n = this.textOrAction();
      if (n.type === NodeType.End || n.type === NodeType.Else) this.errorf(`unexpected ${n}`);
      (this.root as ListNode).append(n);
    }
  }

  /** Parses {{define "name"}} ... {{end}}; the "define" keyword has been scanned. */
  private parseDefinition(): void {
    const context = "define clause";
    const name = this.expectOneOf(ItemType.String, ItemType.RawString, context);
    this.name = this.unquoteOrFail(name.val);
    this.expect(ItemType.RightDelim, context);
    const [root, end] = this.itemList();
    this.root = root;
    if (end.type !== NodeType.End) this.errorf(`unexpected ${end} in ${context}`);
    this.add();
    this.stopParse();
  }

  /** textOrAction* up to {{end}} or {{else}}, which is returned separately. */
  private itemList(): [ListNode, Node] {
    const list = new ListNode(this, this.peekNonSpace().pos);
    while (this.peekNonSpace().typ !== ItemType.EOF) {
      const n = this.textOrAction();
      if (n.type === NodeType.End || n.type === NodeType.Else) return [list, n];
      list.append(n);
    }
    this.errorf("unexpected EOF");
  }

  private textOrAction(): Node {
    const token = this.nextNonSpace();
    switch (token.typ) {
      case ItemType.Text:
        return new TextNode(this, token.pos, token.val);
      case ItemType.LeftDelim:
        this.actionLine = token.line;
        try {
          return this.action();
        } finally {
          this.actionLine = 0;
        }
      case ItemType.Comment:
        return new CommentNode(this, token.pos, token.val);
      default:
        this.unexpected(token, "input");
    }
  }

  /** An action: a control keyword, or a pipeline. The left delim is past. */
  private action(): Node {
    const token = this.nextNonSpace();
    switch (token.typ) {
      case ItemType.Block:
        return this.blockControl();
      case ItemType.Break:
        return this.breakControl(token.pos, token.line);
      case ItemType.Continue:
        return this.continueControl(token.pos, token.line);
      case ItemType.Else:
        return this.elseControl();
      case ItemType.End:
        return this.endControl();
      case ItemType.If:
        return this.ifControl();
      case ItemType.Range:
        return this.rangeControl();
      case ItemType.Template:
        return this.templateControl();
      case ItemType.With:
        return this.withControl();
    }
    this.backup();
    const t = this.peek();
    // Do not pop variables; they persist until "end".
    return new ActionNode(this, t.pos, t.line, this.pipeline("command", ItemType.RightDelim));
  }

  private breakControl(pos: number, line: number): Node {
    const token = this.nextNonSpace();
    if (token.typ !== ItemType.RightDelim) this.unexpected(token, "{{break}}");
    if (this.rangeDepth === 0) this.errorf("{{break}} outside {{range}}");
    return new BreakNode(this, pos, line);
  }

  private continueControl(pos: number, line: number): Node {
    const token = this.nextNonSpace();
    if (token.typ !== ItemType.RightDelim) this.unexpected(token, "{{continue}}");
    if (this.rangeDepth === 0) this.errorf("{{continue}} outside {{range}}");
    return new ContinueNode(this, pos, line);
  }

  /** Pipeline: declarations? command ('|' command)* */
  private pipeline(context: string, end: ItemType): PipeNode {
    const token = this.peekNonSpace();
    const pipe = new PipeNode(this, token.pos, token.line);
    // Are there declarations or assignments?
    decls: for (;;) {
      const v = this.peekNonSpace();
      if (v.typ === ItemType.Variable) {
        this.next();
        // Since space is a token, we need 3-token look-ahead here in the
        // worst case: in "$x foo" we need to read "foo" (as opposed to ":=")
        // to know that $x is an argument variable rather than a declaration.
        const tokenAfterVariable = this.peek();
        const next = this.peekNonSpace();
        if (next.typ === ItemType.Assign || next.typ === ItemType.Declare) {
          pipe.isAssign = next.typ === ItemType.Assign;
          this.nextNonSpace();
          pipe.decl.push(new VariableNode(this, v.pos, v.val));
          this.vars.push(v.val);
        } else if (next.typ === ItemType.Char && next.val === ",") {
          this.nextNonSpace();
          pipe.decl.push(new VariableNode(this, v.pos, v.val));
          this.vars.push(v.val);
          if (context === "range" && pipe.decl.length < 2) {
            switch (this.peekNonSpace().typ) {
              case ItemType.Variable:
              case ItemType.RightDelim:
              case ItemType.RightParen:
                // second initialized variable in a range pipeline
                continue decls;
              default:
                this.errorf("range can only initialize variables");
            }
          }
          this.errorf(`too many declarations in ${context}`);
        } else if (tokenAfterVariable.typ === ItemType.Space) {
          this.backup3(v, tokenAfterVariable);
        } else {
          this.backup2(v);
        }
      }
      break;
    }
    for (;;) {
      const token = this.nextNonSpace();
      switch (token.typ) {
        case end:
          // At this point, the pipeline is complete.
          this.checkPipeline(pipe, context);
          return pipe;
        case ItemType.Bool:
        case ItemType.CharConstant:
        case ItemType.Complex:
        case ItemType.Dot:
        case ItemType.Field:
        case ItemType.Identifier:
        case ItemType.Number:
        case ItemType.Nil:
        case ItemType.RawString:
        case ItemType.String:
        case ItemType.Variable:
        case ItemType.LeftParen:
          this.backup();
          pipe.append(this.command());
          if (pipe.cmds.length > MAX_PIPELINE_CMDS) this.errorf("pipeline too long");
          break;
        default:
          this.unexpected(token, context);
      }
    }
  }

  private checkPipeline(pipe: PipeNode, context: string): void {
    // Reject empty pipelines.
    if (pipe.cmds.length === 0) this.errorf(`missing value for ${context}`);
    // Only the first command of a pipeline can start with a non-executable operand.
    pipe.cmds.slice(1).forEach((c, i) => {
      switch ((c.args[0] as Node).type) {
        case NodeType.Bool:
        case NodeType.Dot:
        case NodeType.Nil:
        case NodeType.Number:
        case NodeType.String:
          // With A|B|C, pipeline stage 2 is B.
          this.errorf(`non executable command in pipeline stage ${i + 2}`);
      }
    });
  }

  private parseControl(context: string): [number, number, PipeNode, ListNode, ListNode | null] {
    const varsLen = this.vars.length;
    try {
      const pipe = this.pipeline(context, ItemType.RightDelim);
      if (context === "range") this.rangeDepth++;
      const [list, first] = this.itemList();
      let next = first;
      if (context === "range") this.rangeDepth--;
      let elseList: ListNode | null = null;
      if (next.type === NodeType.Else) {
        // Special case for "else if" and "else with": treat
        //   {{if a}}_{{else if b}}_{{end}}
        // as
        //   {{if a}}_{{else}}{{if b}}_{{end}}{{end}}.
        // The "if"/"with" token was left pending by elseControl; parse it as
        // usual and stop at its {{end}}; the subsequent {{end}} is assumed.
        if (context === "if" && this.peek().typ === ItemType.If) {
          this.next(); // Consume the "if" token.
          elseList = new ListNode(this, next.pos);
          elseList.append(this.ifControl());
        } else if (context === "with" && this.peek().typ === ItemType.With) {
          this.next();
          elseList = new ListNode(this, next.pos);
          elseList.append(this.withControl());
        } else {
          [elseList, next] = this.itemList();
          if (next.type !== NodeType.End) this.errorf(`expected end; found ${next}`);
        }
      }
      return [pipe.pos, pipe.line, pipe, list, elseList];
    } finally {
      this.vars.length = varsLen;
    }
  }

  private ifControl(): Node {
    return new IfNode(this, ...this.parseControl("if"));
  }

  private rangeControl(): Node {
    return new RangeNode(this, ...this.parseControl("range"));
  }

  private withControl(): Node {
    return new WithNode(this, ...this.parseControl("with"));
  }

  private endControl(): Node {
    return new EndNode(this, this.expect(ItemType.RightDelim, "end").pos);
  }

  private elseControl(): Node {
    const peek = this.peekNonSpace();
    // "{{else if ..." and "{{else with ..." are treated as "{{else}}{{if ...".
    if (peek.typ === ItemType.If || peek.typ === ItemType.With) return new ElseNode(this, peek.pos, peek.line);
    const token = this.expect(ItemType.RightDelim, "else");
    return new ElseNode(this, token.pos, token.line);
  }

  /** {{block "name" pipeline}} ... {{end}}: defines the template and invokes it. */
  private blockControl(): Node {
    const context = "block clause";
    const token = this.nextNonSpace();
    const name = this.parseTemplateName(token, context);
    const pipe = this.pipeline(context, ItemType.RightDelim);

    const block = this.newChild(name);
    const [root, end] = block.itemList();
    block.root = root;
    if (end.type !== NodeType.End) this.errorf(`unexpected ${end} in ${context}`);
    block.add();
    block.stopParse();

    return new TemplateNode(this, token.pos, token.line, name, pipe);
  }

  /** {{template "name" pipeline?}} */
  private templateControl(): Node {
    const context = "template clause";
    const token = this.nextNonSpace();
    const name = this.parseTemplateName(token, context);
    let pipe: PipeNode | null = null;
    if (this.nextNonSpace().typ !== ItemType.RightDelim) {
      this.backup();
      // Do not pop variables; they persist until "end".
      pipe = this.pipeline(context, ItemType.RightDelim);
    }
    return new TemplateNode(this, token.pos, token.line, name, pipe);
  }

  private parseTemplateName(token: Item, context: string): string {
    if (token.typ === ItemType.String || token.typ === ItemType.RawString) return this.unquoteOrFail(token.val);
    this.unexpected(token, context);
  }

  /** command: operand (space operand)*, up to a pipe or the closing delimiter/paren. */
  private command(): CommandNode {
    const cmd = new CommandNode(this, this.peekNonSpace().pos);
    for (;;) {
      this.peekNonSpace(); // skip leading spaces.
      const operand = this.operand();
      if (operand) cmd.append(operand);
      const token = this.next();
      if (token.typ === ItemType.Space) continue;
      if (token.typ === ItemType.RightDelim || token.typ === ItemType.RightParen) this.backup();
      else if (token.typ !== ItemType.Pipe) this.unexpected(token, "operand");
      break;
    }
    if (cmd.args.length === 0) this.errorf("empty command");
    return cmd;
  }

  /** operand: term .Field* */
  private operand(): Node | null {
    let node = this.term();
    if (!node) return null;
    if (this.peek().typ === ItemType.Field) {
      const chain = new ChainNode(this, this.peek().pos, node);
      while (this.peek().typ === ItemType.Field) chain.add(this.next().val);
      // Compatibility with Go's API: fields on a field or variable are
      // folded into that node; literal receivers are rejected here.
      switch (node.type) {
        case NodeType.Field:
          node = new FieldNode(this, chain.pos, chain.toString());
          break;
        case NodeType.Variable:
          node = new VariableNode(this, chain.pos, chain.toString());
          break;
        case NodeType.Bool:
        case NodeType.String:
        case NodeType.Number:
        case NodeType.Nil:
        case NodeType.Dot:
          this.errorf(`unexpected . after term ${quote(node.toString())}`);
        default:
          node = chain;
      }
    }
    return node;
  }

  /** term: literal | function | . | .Field | $ | '(' pipeline ')' */
  private term(): Node | null {
    const token = this.nextNonSpace();
    switch (token.typ) {
      case ItemType.Identifier:
        if (!this.hasFunction(token.val)) this.errorf(`function ${quote(token.val)} not defined`);
        return new IdentifierNode(this, token.pos, token.val);
      case ItemType.Dot:
        return new DotNode(this, token.pos);
      case ItemType.Nil:
        return new NilNode(this, token.pos);
      case ItemType.Variable:
        return this.useVar(token.pos, token.val);
      case ItemType.Field:
        return new FieldNode(this, token.pos, token.val);
      case ItemType.Bool:
        return new BoolNode(this, token.pos, token.val === "true");
      case ItemType.CharConstant:
      case ItemType.Complex:
      case ItemType.Number:
        try {
          return newNumber(this, token.pos, token.val, token.typ);
        } catch (e) {
          this.errorf(errorMessage(e));
        }
      case ItemType.LeftParen: {
        if (this.stackDepth >= MAX_STACK_DEPTH) this.errorf("max expression depth exceeded");
        this.stackDepth++;
        try {
          return this.pipeline("parenthesized pipeline", ItemType.RightParen);
        } finally {
          this.stackDepth--;
        }
      }
      case ItemType.String:
      case ItemType.RawString:
        return new StringNode(this, token.pos, token.val, this.unquoteOrFail(token.val));
    }
    this.backup();
    return null;
  }

  /** A variable reference; it must have been declared. */
  private useVar(pos: number, name: string): Node {
    const v = new VariableNode(this, pos, name);
    if (this.vars.includes(v.ident[0] as string)) return v;
    this.errorf(`undefined variable ${quote(v.ident[0] as string)}`);
  }
}

/**
 * Parses text into the set of named trees it defines: the top-level template
 * under `name`, plus any {{define}}/{{block}} templates.
 */
export function parseTrees(name: string, text: string, hasFunction: (name: string) => boolean): Map<string, Tree> {
  const treeSet = new Map<string, Tree>();
  const t = new Tree(name, hasFunction);
  t.parse(text, treeSet);
  return treeSet;
}
