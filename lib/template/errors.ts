/**
 * A template parse or execution error. The message is exactly the text Go's
 * text/template produces, e.g.
 *   template: --format:1: function "foo" not defined
 *   template: --format:1:3: executing "--format" at <join>: error calling join: ...
 */
export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TemplateError";
  }
}
