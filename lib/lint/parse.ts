// `parse`: the parser's error (P1–P15) with its file and line (spec ecosystem §1.1). The parser
// stops at the first violation, as the reference's does, so there is at most one per file.
import { genericText, type LintRule } from './types.js';

export const parseRule: LintRule = {
  id: 'parse',
  needsGit: false,
  async check(target) {
    if (target.parseError === null) return [];
    return [{ rule: 'parse', severity: 'error', repo: target.repo, tag: null, arch: null, file: target.file,
      line: target.parseError.line, message: target.parseError.message }];
  },
  text: (findings) => genericText('Invalid library files detected:', findings),
};
