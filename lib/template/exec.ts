// The template executor: a port of text/template/exec.go.
//
// The state machine mirrors Go's closely, including *where* the "current
// node" is updated (Go's s.at(node)), because that node determines the
// position and context in every execution error message:
//   template: NAME:LINE:COL: executing "NAME" at <NODE>: MESSAGE

import { TemplateError } from "./errors.js";
import { formatTemplateValue, formatValue } from "./fmt.js";
import { BUILTINS, Callable, callFunction, TemplateFunc, userCallable } from "./funcs.js";
import {
  ActionNode,
  ChainNode,
  CommandNode,
  FieldNode,
  IdentifierNode,
  ListNode,
  Node,
  NodeType,
  NumberNode,
  PipeNode,
  RangeNode,
  TemplateNode,
  VariableNode,
} from "./node.js";
import { Tree } from "./parse.js";
import { quote } from "./strconv.js";
import { byteLength } from "./unicode.js";
import { findMember, goTypeName, isGoInt, isTrue, NilPointer, sortedEntries } from "./value.js";

/** Go's missingVal: "no final (piped) argument". */
const MISSING: unique symbol = Symbol("missing");
type Final = unknown; // a value, or MISSING

/** Sentinels thrown to unwind out of a range body, like Go's walkBreak/walkContinue panics. */
const WALK_BREAK = { signal: "break" };
const WALK_CONTINUE = { signal: "continue" };

/** Go's maxExecDepth. */
const MAX_EXEC_DEPTH = 100000;

/** Everything shared by the templates parsed together. */
export interface Common {
  readonly trees: Map<string, Tree>;
  readonly funcs: ReadonlyMap<string, Callable>;
}

interface Variable {
  name: string;
  value: unknown;
}

/** Go's Tree.ErrorContext: "NAME:LINE:COL" (COL = byte offset in the line) and the node's text. */
export function errorContext(n: Node): [string, string] {
  const text = n.tr.text.slice(0, n.pos);
  const nl = text.lastIndexOf("\n");
  const byteNum = nl === -1 ? byteLength(text) : byteLength(text.slice(nl + 1));
  let lineNum = 1;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) lineNum++;
  return [`${n.tr.parseName}:${lineNum}:${byteNum}`, n.toString()];
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function isHexInt(s: string): boolean {
  return s.length > 2 && s[0] === "0" && (s[1] === "x" || s[1] === "X") && !/[pP]/.test(s);
}

function isRuneInt(s: string): boolean {
  return s.length > 0 && s[0] === "'";
}

/** The key type of a map, judged from its keys (an empty map is taken to have string keys). */
function mapKeyTypeName(m: Map<unknown, unknown>): string {
  for (const k of m.keys()) return typeof k === "string" ? "string" : goTypeName(k);
  return "string";
}

/**
 * Whether e is V8 running out of stack. Deliberately avoids regexes: V8
 * reports a regex compiled at the stack limit as a SyntaxError.
 */
function isStackOverflow(e: unknown): boolean {
  return (e instanceof RangeError || e instanceof SyntaxError) && e.message.includes("call stack");
}

/** A JS int result: a number when exactly representable, else a bigint. */
function intValue(n: bigint): number | bigint {
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

class State {
  /** The node being evaluated, for error reporting (Go's s.node). */
  node: Node | null = null;

  constructor(
    readonly tmplName: string,
    readonly common: Common,
    readonly out: string[],
    readonly vars: Variable[],
    readonly depth: number,
  ) {}

  at(node: Node): void {
    this.node = node;
  }

  errorf(msg: string): never {
    const name = this.tmplName;
    if (this.node === null) throw new TemplateError(`template: ${name}: ${msg}`);
    const [location, context] = errorContext(this.node);
    throw new TemplateError(`template: ${location}: executing ${quote(name)} at <${context}>: ${msg}`);
  }

  // ---------------------------------------------------------------------
  // Variables: a push-down stack, popped at {{end}}.

  mark(): number {
    return this.vars.length;
  }

  pop(mark: number): void {
    this.vars.length = mark;
  }

  push(name: string, value: unknown): void {
    this.vars.push({ name, value });
  }

  setVar(name: string, value: unknown): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const v = this.vars[i] as Variable;
      if (v.name === name) {
        v.value = value;
        return;
      }
    }
    this.errorf(`undefined variable: ${name}`);
  }

  setTopVar(n: number, value: unknown): void {
    (this.vars[this.vars.length - n] as Variable).value = value;
  }

  varValue(name: string): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const v = this.vars[i] as Variable;
      if (v.name === name) return v.value;
    }
    this.errorf(`undefined variable: ${name}`);
  }

  // ---------------------------------------------------------------------
  // Walking the tree (producing output).

  walk(dot: unknown, node: Node): void {
    this.at(node);
    switch (node.type) {
      case NodeType.Action: {
        // Do not pop variables so they persist until next end.
        // Also, if the action declares variables, don't print the result.
        const val = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.printValue(node, val);
        return;
      }
      case NodeType.Break:
        throw WALK_BREAK;
      case NodeType.Comment:
        return;
      case NodeType.Continue:
        throw WALK_CONTINUE;
      case NodeType.If:
      case NodeType.With:
        this.walkIfOrWith(node.type === NodeType.With, dot, node.pipe, node.list, node.elseList);
        return;
      case NodeType.List:
        for (const n of node.nodes) this.walk(dot, n);
        return;
      case NodeType.Range:
        this.walkRange(dot, node);
        return;
      case NodeType.Template:
        this.walkTemplate(dot, node);
        return;
      case NodeType.Text:
        this.out.push(node.text);
        return;
      default:
        this.errorf(`unknown node: ${node}`);
    }
  }

  walkIfOrWith(isWith: boolean, dot: unknown, pipe: PipeNode, list: ListNode, elseList: ListNode | null): void {
    const mark = this.mark();
    try {
      const val = this.evalPipeline(dot, pipe);
      if (isTrue(val)) {
        this.walk(isWith ? val : dot, list);
      } else if (elseList) {
        this.walk(dot, elseList);
      }
    } finally {
      this.pop(mark);
    }
  }

  walkRange(dot: unknown, r: RangeNode): void {
    this.at(r);
    const outerMark = this.mark();
    try {
      const val = this.evalPipeline(dot, r.pipe);
      // Mark the top of the stack before any variables in the body are pushed.
      const mark = this.mark();
      const decl = r.pipe.decl;
      const oneIteration = (index: unknown, elem: unknown): void => {
        if (decl.length > 0) {
          if (r.pipe.isAssign) {
            // With two variables, index comes first; with one, the element.
            this.setVar((decl[0] as VariableNode).ident[0] as string, decl.length > 1 ? index : elem);
          } else {
            // Set top var (lexically the second if there are two) to the element.
            this.setTopVar(1, elem);
          }
        }
        if (decl.length > 1) {
          if (r.pipe.isAssign) this.setVar((decl[1] as VariableNode).ident[0] as string, elem);
          else this.setTopVar(2, index); // next var (lexically the first) is the index
        }
        try {
          this.walk(elem, r.list);
        } catch (e) {
          if (e !== WALK_CONTINUE) throw e;
        } finally {
          this.pop(mark);
        }
      };

      if ((typeof val === "number" && isGoInt(val)) || typeof val === "bigint") {
        // Range over an integer (Go 1.22+): 0..n-1, element only.
        if (decl.length > 1) this.errorf(`can't use ${formatValue(val)} to iterate over more than one variable`);
        const n = typeof val === "bigint" ? intValue(val) : val;
        if (n > 0) {
          if (typeof n === "bigint") for (let i = 0n; i < n; i++) oneIteration(undefined, intValue(i));
          else for (let i = 0; i < n; i++) oneIteration(undefined, i);
          return;
        }
      } else if (Array.isArray(val) || val instanceof Uint8Array) {
        if (val.length > 0) {
          for (let i = 0; i < val.length; i++) oneIteration(i, val[i]);
          return;
        }
      } else if (val instanceof Map) {
        if (val.size > 0) {
          for (const [k, v] of sortedEntries(val as Map<unknown, unknown>)) oneIteration(k, v);
          return;
        }
      } else if (val === undefined || val === null) {
        // A nil slice/map (or no value) acts like an empty one.
      } else {
        this.errorf(`range can't iterate over ${formatValue(val)}`);
      }
      if (r.elseList) this.walk(dot, r.elseList);
    } catch (e) {
      if (e !== WALK_BREAK) throw e;
    } finally {
      this.pop(outerMark);
    }
  }

  walkTemplate(dot: unknown, t: TemplateNode): void {
    this.at(t);
    const tree = this.common.trees.get(t.name);
    if (!tree || !tree.root) this.errorf(`template ${quote(t.name)} not defined`);
    if (this.depth === MAX_EXEC_DEPTH) this.errorf(`exceeded maximum template depth (${MAX_EXEC_DEPTH})`);
    // Variables declared by the pipeline persist.
    const newDot = this.evalPipeline(dot, t.pipe);
    // No dynamic scoping: template invocations inherit no variables.
    const s = new State(t.name, this.common, this.out, [{ name: "$", value: newDot }], this.depth + 1);
    try {
      s.walk(newDot, tree.root);
    } catch (e) {
      // JS runs out of stack long before Go's depth limit; report it the
      // way Go reports runaway recursion. (If building the message
      // overflows again, an outer template call retries.)
      if (isStackOverflow(e)) {
        this.at(t);
        this.errorf(`exceeded maximum template depth (${MAX_EXEC_DEPTH})`);
      }
      throw e;
    }
  }

  // ---------------------------------------------------------------------
  // Evaluation.

  evalPipeline(dot: unknown, pipe: PipeNode | null): unknown {
    if (!pipe) return undefined;
    this.at(pipe);
    let value: Final = MISSING;
    for (const cmd of pipe.cmds) value = this.evalCommand(dot, cmd, value); // previous value is this one's final arg
    for (const v of pipe.decl) {
      if (pipe.isAssign) this.setVar(v.ident[0] as string, value);
      else this.push(v.ident[0] as string, value);
    }
    return value;
  }

  notAFunction(args: Node[], final: Final): void {
    if (args.length > 1 || final !== MISSING) this.errorf(`can't give argument to non-function ${args[0]}`);
  }

  evalCommand(dot: unknown, cmd: CommandNode, final: Final): unknown {
    const firstWord = cmd.args[0] as Node;
    switch (firstWord.type) {
      case NodeType.Field:
        return this.evalFieldNode(dot, firstWord, cmd.args, final);
      case NodeType.Chain:
        return this.evalChainNode(dot, firstWord, cmd.args, final);
      case NodeType.Identifier:
        // Must be a function.
        return this.evalFunction(dot, firstWord, cmd, cmd.args, final);
      case NodeType.Pipe:
        // Parenthesized pipeline. The arguments are all inside the pipeline; final must be absent.
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, firstWord);
      case NodeType.Variable:
        return this.evalVariableNode(dot, firstWord, cmd.args, final);
    }
    this.at(firstWord);
    this.notAFunction(cmd.args, final);
    switch (firstWord.type) {
      case NodeType.Bool:
        return firstWord.value;
      case NodeType.Dot:
        return dot;
      case NodeType.Nil:
        this.errorf("nil is not a command");
      case NodeType.Number:
        return this.idealConstant(firstWord as NumberNode);
      case NodeType.String:
        return firstWord.text;
    }
    this.errorf(`can't evaluate command ${quote(firstWord.toString())}`);
  }

  /**
   * The value of a numeric constant where no type is known: the syntax
   * decides (1.5 and 1e3 are floats, 'a' and 0x10 are ints).
   */
  idealConstant(c: NumberNode): unknown {
    this.at(c);
    if (c.isComplex) this.errorf(`complex constant ${c.text} is not supported`);
    if (c.isFloat && !isHexInt(c.text) && !isRuneInt(c.text) && /[.eEpP]/.test(c.text)) return c.float64;
    if (c.isInt) return intValue(c.int64);
    if (c.isUint) this.errorf(`${c.text} overflows int`);
    return undefined;
  }

  evalFieldNode(dot: unknown, field: FieldNode, args: Node[] | null, final: Final): unknown {
    this.at(field);
    return this.evalFieldChain(dot, dot, field, field.ident, args, final);
  }

  evalChainNode(dot: unknown, chain: ChainNode, args: Node[] | null, final: Final): unknown {
    this.at(chain);
    if (chain.field.length === 0) this.errorf("internal error: no fields in evalChainNode");
    if (chain.node.type === NodeType.Nil) this.errorf(`indirection through explicit nil in ${chain}`);
    // (pipe).Field1.Field2 has pipe as .node, fields as .field. Eval the pipeline, then the fields.
    const pipe = this.evalArg(dot, null, chain.node);
    return this.evalFieldChain(dot, pipe, chain, chain.field, args, final);
  }

  evalVariableNode(dot: unknown, variable: VariableNode, args: Node[] | null, final: Final): unknown {
    // $x.Field has $x as the first ident, Field as the second. Eval the var, then the fields.
    this.at(variable);
    const value = this.varValue(variable.ident[0] as string);
    if (variable.ident.length === 1) {
      this.notAFunction(args ?? [variable], final);
      return value;
    }
    return this.evalFieldChain(dot, value, variable, variable.ident.slice(1), args, final);
  }

  /**
   * Evaluates .X.Y.Z possibly followed by arguments. dot is the environment
   * in which to evaluate arguments, while receiver is the value being
   * walked along the chain.
   */
  evalFieldChain(dot: unknown, receiver: unknown, node: Node, ident: string[], args: Node[] | null, final: Final): unknown {
    const n = ident.length;
    for (let i = 0; i < n - 1; i++) receiver = this.evalField(dot, ident[i] as string, node, null, MISSING, receiver);
    // Now if it's a method, it gets the arguments.
    return this.evalField(dot, ident[n - 1] as string, node, args, final, receiver);
  }

  evalFunction(dot: unknown, node: IdentifierNode, cmd: Node, args: Node[] | null, final: Final): unknown {
    this.at(node);
    const name = node.ident;
    // User functions take precedence over builtins, as in Go.
    const user = this.common.funcs.get(name);
    const fn = user ?? BUILTINS.get(name);
    if (!fn) this.errorf(`${quote(name)} is not a defined function`);
    return this.evalCall(dot, fn, !user, cmd, name, args, final);
  }

  /** Evaluates .Field or .Method args... on receiver. */
  evalField(dot: unknown, fieldName: string, node: Node, args: Node[] | null, final: Final, receiver: unknown): unknown {
    if (receiver === undefined) return undefined; // missingkey=default: no value
    if (receiver === null) this.errorf(`nil pointer evaluating interface {}.${fieldName}`);
    if (receiver instanceof NilPointer) {
      if (receiver.hasMethod(fieldName)) {
        // Go calls the method through the nil pointer, which panics.
        const msg = receiver.nilMethodMessage(fieldName);
        const panics: Callable = {
          params: [],
          variadic: "any",
          invoke: () => {
            throw new Error(msg);
          },
        };
        return this.evalCall(dot, panics, false, node, fieldName, args, final);
      }
      // If there's no such field, say "can't evaluate" instead of "nil pointer evaluating".
      if (receiver.lacksField(fieldName)) this.errorf(`can't evaluate field ${fieldName} in type ${receiver.typeName}`);
      this.errorf(`nil pointer evaluating ${receiver.typeName}.${fieldName}`);
    }
    if (typeof receiver === "function") this.errorf(`can't evaluate field ${fieldName} in type ${goTypeName(receiver)}`);
    const isContainer = Array.isArray(receiver) || receiver instanceof Map || receiver instanceof Uint8Array;
    const member = findMember(receiver, fieldName, isContainer);
    if (member.kind === "method") {
      const method = userCallable(member.fn);
      const bound: Callable = { ...method, invoke: (_this, a) => method.invoke(receiver, a) };
      return this.evalCall(dot, bound, false, node, fieldName, args, final);
    }
    const hasArgs = (args !== null && args.length > 1) || final !== MISSING;
    // It's not a method; must be a field of a struct or an element of a map.
    if (receiver instanceof Map) {
      // Only maps with string keys can be indexed by a field name.
      const keyType = mapKeyTypeName(receiver);
      if (keyType === "string" || keyType === "interface {}") {
        if (hasArgs) this.errorf(`${fieldName} is not a method but has arguments`);
        return receiver.get(fieldName); // missing key: no value
      }
    }
    if (member.kind === "field") {
      if (hasArgs) this.errorf(`${fieldName} has arguments but cannot be invoked as function`);
      return (receiver as Record<string, unknown>)[fieldName];
    }
    this.errorf(`can't evaluate field ${fieldName} in type ${goTypeName(receiver)}`);
  }

  /**
   * Executes a function or method call. argNodes, if non-null, includes (in
   * the manner of the shell) the function itself as argNodes[0].
   */
  evalCall(
    dot: unknown,
    fun: Callable,
    isBuiltin: boolean,
    node: Node,
    name: string,
    argNodes: Node[] | null,
    final: Final,
  ): unknown {
    const args = argNodes ? argNodes.slice(1) : [];
    const numIn = args.length + (final !== MISSING ? 1 : 0);
    let numFixed = args.length;
    if (fun.variadic !== null) {
      numFixed = fun.params.length;
      if (numIn < numFixed) {
        this.errorf(`wrong number of args for ${name}: want at least ${fun.params.length} got ${args.length}`);
      }
    } else if (numIn !== fun.params.length) {
      this.errorf(`wrong number of args for ${name}: want ${fun.params.length} got ${numIn}`);
    }

    // Special case for builtin and/or, which short-circuit and return the deciding value.
    if (isBuiltin && (name === "and" || name === "or")) {
      let v: unknown = undefined;
      for (const arg of args) {
        v = this.evalArg(dot, "any", arg);
        if (isTrue(v) === (name === "or")) return v;
      }
      if (final !== MISSING) v = final;
      return v;
    }

    // Build the arg list: fixed args first, then the ... args, then the piped value.
    const argv: unknown[] = [];
    let i = 0;
    for (; i < numFixed && i < args.length; i++) argv.push(this.evalArg(dot, fun.params[i] ?? "any", args[i] as Node));
    if (fun.variadic !== null) for (; i < args.length; i++) argv.push(this.evalArg(dot, fun.variadic, args[i] as Node));
    if (final !== MISSING) {
      let t = fun.params[fun.params.length - 1] ?? "any";
      if (fun.variadic !== null) t = numIn - 1 < numFixed ? (fun.params[numIn - 1] ?? "any") : fun.variadic;
      argv.push(this.validateType(final, t));
    }

    let result: unknown;
    try {
      if (isBuiltin && name === "call") {
        // The callee's name in messages is the text of its node.
        const calleeName = args.length === 0 ? formatValue(final) : (args[0] as Node).toString();
        result = callFunction(calleeName, argv[0], argv.slice(1));
      } else {
        result = fun.invoke(undefined, argv);
      }
    } catch (e) {
      this.at(node);
      this.errorf(`error calling ${name}: ${errorMessage(e)}`);
    }
    return result;
  }

  /** Checks a value against a parameter type (only string parameters are typed). */
  validateType(value: unknown, typ: "any" | "string" | null): unknown {
    if (typ === "string") {
      if (value === undefined) this.errorf("invalid value; expected string");
      if (typeof value !== "string") this.errorf(`wrong type for value; expected string; got ${goTypeName(value)}`);
    }
    return value;
  }

  evalArg(dot: unknown, typ: "any" | "string" | null, n: Node): unknown {
    this.at(n);
    switch (n.type) {
      case NodeType.Dot:
        return this.validateType(dot, typ);
      case NodeType.Nil:
        if (typ === "string") this.errorf("cannot assign nil to string");
        return undefined; // an untyped nil
      case NodeType.Field:
        return this.validateType(this.evalFieldNode(dot, n, [n], MISSING), typ);
      case NodeType.Variable:
        return this.validateType(this.evalVariableNode(dot, n, null, MISSING), typ);
      case NodeType.Pipe:
        return this.validateType(this.evalPipeline(dot, n), typ);
      case NodeType.Identifier:
        return this.validateType(this.evalFunction(dot, n, n, null, MISSING), typ);
      case NodeType.Chain:
        return this.validateType(this.evalChainNode(dot, n, null, MISSING), typ);
    }
    // A literal: a string parameter only accepts a string literal; an
    // interface{} one takes the literal's natural type.
    if (typ === "string") {
      if (n.type === NodeType.String) return n.text;
      this.errorf(`expected string; found ${n}`);
    }
    switch (n.type) {
      case NodeType.Bool:
        return n.value;
      case NodeType.Number:
        return this.idealConstant(n);
      case NodeType.String:
        return n.text;
    }
    this.errorf(`can't handle assignment of ${n} to empty interface argument`);
  }

  /** Prints the value of an action (Go's printValue/printableValue). */
  printValue(n: ActionNode, v: unknown): void {
    this.at(n);
    if (v === undefined) {
      this.out.push("<no value>");
      return;
    }
    if (typeof v === "function") this.errorf(`can't print ${n} of type ${goTypeName(v)}`);
    this.out.push(formatTemplateValue(v));
  }
}

/** A parsed template, ready to execute. */
export interface Template {
  /** The template's name. */
  readonly name: string;
  /** Executes the template against data, returning the output. Throws TemplateError. */
  execute(data: unknown): string;
  /** Executes the associated template with the given name (from {{define}} or {{block}}). */
  executeTemplate(name: string, data: unknown): string;
  /** Names of all templates defined by the parsed text. */
  templateNames(): string[];
}

/** Executes the template `name` of the set against data (Go's Template.Execute). */
export function execute(common: Common, name: string, data: unknown): string {
  const out: string[] = [];
  const s: State = new State(name, common, out, [{ name: "$", value: data }], 0);
  const tree = common.trees.get(name);
  if (!tree || !tree.root) s.errorf(`${quote(name)} is an incomplete or empty template`);
  try {
    s.walk(data, tree.root);
  } catch (e) {
    if (isStackOverflow(e)) s.errorf(`exceeded maximum template depth (${MAX_EXEC_DEPTH})`);
    throw e;
  }
  return out.join("");
}

/** Wraps the parsed trees and the user functions into a Template. */
export function newTemplate(name: string, trees: Map<string, Tree>, funcs: Record<string, TemplateFunc>): Template {
  const callables = new Map<string, Callable>();
  for (const [k, fn] of Object.entries(funcs)) callables.set(k, userCallable(fn));
  const common: Common = { trees, funcs: callables };
  return {
    name,
    execute: (data) => execute(common, name, data),
    executeTemplate: (tname, data) => {
      if (!trees.has(tname)) {
        throw new TemplateError(`template: no template ${quote(tname)} associated with template ${quote(name)}`);
      }
      return execute(common, tname, data);
    },
    templateNames: () => Array.from(trees.keys()),
  };
}
