// Parse-tree nodes, mirroring text/template/parse/node.go. Each node knows
// its position (an index into the template text) and the tree it belongs to,
// and renders itself back to template syntax with toString() exactly like
// Go's Node.String() — that text appears in execution errors
// ("executing ... at <.Foo.Bar>: ...").

import { quote } from "./strconv.js";

export enum NodeType {
  Text,
  Action,
  Bool,
  Chain,
  Command,
  Dot,
  Else,
  End,
  Field,
  Identifier,
  If,
  List,
  Nil,
  Number,
  Pipe,
  Range,
  String,
  Template,
  Variable,
  With,
  Comment,
  Break,
  Continue,
}

/** What a node needs from its tree: the full text and the name used in error locations. */
export interface TreeRef {
  readonly text: string;
  readonly parseName: string;
}

abstract class BaseNode {
  constructor(
    readonly tr: TreeRef,
    readonly pos: number,
  ) {}
  abstract writeTo(sb: string[]): void;
  toString(): string {
    const sb: string[] = [];
    this.writeTo(sb);
    return sb.join("");
  }
}

export class ListNode extends BaseNode {
  readonly type = NodeType.List;
  readonly nodes: Node[] = [];
  append(n: Node): void {
    this.nodes.push(n);
  }
  writeTo(sb: string[]): void {
    for (const n of this.nodes) n.writeTo(sb);
  }
}

export class TextNode extends BaseNode {
  readonly type = NodeType.Text;
  constructor(
    tr: TreeRef,
    pos: number,
    readonly text: string,
  ) {
    super(tr, pos);
  }
  writeTo(sb: string[]): void {
    sb.push(this.text);
  }
}

export class CommentNode extends BaseNode {
  readonly type = NodeType.Comment;
  constructor(
    tr: TreeRef,
    pos: number,
    readonly text: string,
  ) {
    super(tr, pos);
  }
  writeTo(sb: string[]): void {
    sb.push("{{", this.text, "}}");
  }
}

export class PipeNode extends BaseNode {
  readonly type = NodeType.Pipe;
  isAssign = false; // the variables are being assigned, not declared
  readonly decl: VariableNode[] = [];
  readonly cmds: CommandNode[] = [];
  constructor(
    tr: TreeRef,
    pos: number,
    readonly line: number,
  ) {
    super(tr, pos);
  }
  append(c: CommandNode): void {
    this.cmds.push(c);
  }
  writeTo(sb: string[]): void {
    if (this.decl.length > 0) {
      this.decl.forEach((v, i) => {
        if (i > 0) sb.push(", ");
        v.writeTo(sb);
      });
      sb.push(" := ");
    }
    this.cmds.forEach((c, i) => {
      if (i > 0) sb.push(" | ");
      c.writeTo(sb);
    });
  }
}

export class ActionNode extends BaseNode {
  readonly type = NodeType.Action;
  constructor(
    tr: TreeRef,
    pos: number,
    readonly line: number,
    readonly pipe: PipeNode,
  ) {
    super(tr, pos);
  }
  writeTo(sb: string[]): void {
    sb.push("{{");
    this.pipe.writeTo(sb);
    sb.push("}}");
  }
}

export class CommandNode extends BaseNode {
  readonly type = NodeType.Command;
  readonly args: Node[] = [];
  append(n: Node): void {
    this.args.push(n);
  }
  writeTo(sb: string[]): void {
    this.args.forEach((arg, i) => {
      if (i > 0) sb.push(" ");
      if (arg.type === NodeType.Pipe) {
        sb.push("(");
        arg.writeTo(sb);
        sb.push(")");
        return;
      }
      arg.writeTo(sb);
    });
  }
}

export class IdentifierNode extends BaseNode {
  readonly type = NodeType.Identifier;
  constructor(
    tr: TreeRef,
    pos: number,
    readonly ident: string,
  ) {
    super(tr, pos);
  }
  writeTo(sb: string[]): void {
    sb.push(this.ident);
  }
}

/** A variable ($x) possibly followed by field accesses ($x.A.B); ident[0] includes the '$'. */
export class VariableNode extends BaseNode {
  readonly type = NodeType.Variable;
  readonly ident: string[];
  constructor(tr: TreeRef, pos: number, ident: string) {
    super(tr, pos);
    this.ident = ident.split(".");
  }
  writeTo(sb: string[]): void {
    sb.push(this.ident.join("."));
  }
}

export class DotNode extends BaseNode {
  readonly type = NodeType.Dot;
  writeTo(sb: string[]): void {
    sb.push(".");
  }
}

export class NilNode extends BaseNode {
  readonly type = NodeType.Nil;
  writeTo(sb: string[]): void {
    sb.push("nil");
  }
}

/** A field chain on dot (.A.B.C); the periods are dropped from ident. */
export class FieldNode extends BaseNode {
  readonly type = NodeType.Field;
  readonly ident: string[];
  constructor(tr: TreeRef, pos: number, ident: string) {
    super(tr, pos);
    this.ident = ident.slice(1).split(".");
  }
  writeTo(sb: string[]): void {
    for (const id of this.ident) sb.push(".", id);
  }
}

/** A term followed by field accesses, e.g. (pipeline).A.B. */
export class ChainNode extends BaseNode {
  readonly type = NodeType.Chain;
  readonly field: string[] = [];
  constructor(
    tr: TreeRef,
    pos: number,
    readonly node: Node,
  ) {
    super(tr, pos);
  }
  add(field: string): void {
    this.field.push(field.slice(1));
  }
  writeTo(sb: string[]): void {
    if (this.node.type === NodeType.Pipe) {
      sb.push("(");
      this.node.writeTo(sb);
      sb.push(")");
    } else {
      this.node.writeTo(sb);
    }
    for (const f of this.field) sb.push(".", f);
  }
}

export class BoolNode extends BaseNode {
  readonly type = NodeType.Bool;
  constructor(
    tr: TreeRef,
    pos: number,
    readonly value: boolean,
  ) {
    super(tr, pos);
  }
  writeTo(sb: string[]): void {
    sb.push(this.value ? "true" : "false");
  }
}

/** A numeric constant, stored under every type that can represent it (Go's ideal constants). */
export class NumberNode extends BaseNode {
  readonly type = NodeType.Number;
  isInt = false;
  isUint = false;
  isFloat = false;
  isComplex = false;
  int64 = 0n;
  uint64 = 0n;
  float64 = 0;
  constructor(
    tr: TreeRef,
    pos: number,
    readonly text: string,
  ) {
    super(tr, pos);
  }
  writeTo(sb: string[]): void {
    sb.push(this.text);
  }
}

export class StringNode extends BaseNode {
  readonly type = NodeType.String;
  constructor(
    tr: TreeRef,
    pos: number,
    readonly quoted: string,
    readonly text: string,
  ) {
    super(tr, pos);
  }
  writeTo(sb: string[]): void {
    sb.push(this.quoted);
  }
}

export class EndNode extends BaseNode {
  readonly type = NodeType.End;
  writeTo(sb: string[]): void {
    sb.push("{{end}}");
  }
}

export class ElseNode extends BaseNode {
  readonly type = NodeType.Else;
  constructor(
    tr: TreeRef,
    pos: number,
    readonly line: number,
  ) {
    super(tr, pos);
  }
  writeTo(sb: string[]): void {
    sb.push("{{else}}");
  }
}

abstract class BranchNode extends BaseNode {
  constructor(
    tr: TreeRef,
    pos: number,
    readonly line: number,
    readonly pipe: PipeNode,
    readonly list: ListNode,
    readonly elseList: ListNode | null,
  ) {
    super(tr, pos);
  }
  protected abstract get keyword(): string;
  writeTo(sb: string[]): void {
    sb.push("{{", this.keyword, " ");
    this.pipe.writeTo(sb);
    sb.push("}}");
    this.list.writeTo(sb);
    if (this.elseList) {
      sb.push("{{else}}");
      this.elseList.writeTo(sb);
    }
    sb.push("{{end}}");
  }
}

export class IfNode extends BranchNode {
  readonly type = NodeType.If;
  protected get keyword(): string {
    return "if";
  }
}

export class RangeNode extends BranchNode {
  readonly type = NodeType.Range;
  protected get keyword(): string {
    return "range";
  }
}

export class WithNode extends BranchNode {
  readonly type = NodeType.With;
  protected get keyword(): string {
    return "with";
  }
}

export class TemplateNode extends BaseNode {
  readonly type = NodeType.Template;
  constructor(
    tr: TreeRef,
    pos: number,
    readonly line: number,
    readonly name: string,
    readonly pipe: PipeNode | null,
  ) {
    super(tr, pos);
  }
  writeTo(sb: string[]): void {
    sb.push("{{template ", quote(this.name));
    if (this.pipe) {
      sb.push(" ");
      this.pipe.writeTo(sb);
    }
    sb.push("}}");
  }
}

export class BreakNode extends BaseNode {
  readonly type = NodeType.Break;
  constructor(
    tr: TreeRef,
    pos: number,
    readonly line: number,
  ) {
    super(tr, pos);
  }
  writeTo(sb: string[]): void {
    sb.push("{{break}}");
  }
}

export class ContinueNode extends BaseNode {
  readonly type = NodeType.Continue;
  constructor(
    tr: TreeRef,
    pos: number,
    readonly line: number,
  ) {
    super(tr, pos);
  }
  writeTo(sb: string[]): void {
    sb.push("{{continue}}");
  }
}

export type Node =
  | ListNode
  | TextNode
  | CommentNode
  | PipeNode
  | ActionNode
  | CommandNode
  | IdentifierNode
  | VariableNode
  | DotNode
  | NilNode
  | FieldNode
  | ChainNode
  | BoolNode
  | NumberNode
  | StringNode
  | EndNode
  | ElseNode
  | IfNode
  | RangeNode
  | WithNode
  | TemplateNode
  | BreakNode
  | ContinueNode;
