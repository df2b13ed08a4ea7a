// Go text/template for TypeScript: an interpreter faithful to Go's
// text/template (parsing, execution, builtins, and error messages) and to
// the fmt package's value formatting, so that `bashbrew cat --format`
// output is byte-identical to the Go tool's.
//
// Modules:
//   lex.ts, node.ts, parse.ts  — text/template/parse
//   exec.ts, funcs.ts          — text/template execution and builtins
//   fmt.ts, strconv.ts         — fmt and strconv
//   value.ts                   — how Go values map to JS values (read this
//                                first: null vs undefined vs nilPointer(),
//                                static goType/goPkgPath/goFields on classes)
//
// User functions may declare a Go signature with properties on the function
// object (goArity, goMinArity, goParams, goVariadic; see funcs.ts) so that
// argument-count and type errors match Go's; otherwise they are variadic.

import { newTemplate, Template } from "./exec.js";
import { BUILTINS, TemplateFunc } from "./funcs.js";
import { parseTrees } from "./parse.js";

export { TemplateError } from "./errors.js";
export type { Template } from "./exec.js";
export type { TemplateFunc } from "./funcs.js";
export { formatValue, sprint, sprintf, sprintln } from "./fmt.js";
export { isTrue, NilPointer, nilPointer, goTypeName } from "./value.js";
export { htmlEscapeString, jsEscapeString, urlQueryEscape } from "./funcs.js";

/**
 * Parses a template like Go's
 *   template.New(name).Funcs(funcs).Parse(text)
 * Functions are checked at parse time ("function "x" not defined"); user
 * functions take precedence over builtins of the same name, as in Go.
 * Throws TemplateError with Go's message on syntax errors.
 */
export function parseTemplate(name: string, text: string, funcs: Record<string, TemplateFunc> = {}): Template {
  const hasFunction = (fn: string): boolean => Object.prototype.hasOwnProperty.call(funcs, fn) || BUILTINS.has(fn);
  const trees = parseTrees(name, text, hasFunction);
  return newTemplate(name, trees, funcs);
}
