import assert from "node:assert/strict";
import { parseTemplate, TemplateError, type TemplateFunc } from "../../lib/template/index.js";

/** Parses and executes a template named "--format" (as bashbrew names it). */
export function run(text: string, data?: unknown, funcs: Record<string, TemplateFunc> = {}): string {
  return parseTemplate("--format", text, funcs).execute(data);
}

/** The message of the TemplateError that parsing or executing throws. */
export function runErr(text: string, data?: unknown, funcs: Record<string, TemplateFunc> = {}): string {
  try {
    const out = run(text, data, funcs);
    assert.fail(`expected an error, got output ${JSON.stringify(out)}`);
  } catch (e) {
    if (e instanceof assert.AssertionError) throw e;
    assert.ok(e instanceof TemplateError, `expected TemplateError, got ${String(e)}`);
    return e.message;
  }
}

/** Attaches Go signature metadata (goArity, goParams, ...) to a function. */
export function sig<F extends TemplateFunc>(fn: F, meta: Record<string, unknown>): F {
  return Object.assign(fn, meta);
}
