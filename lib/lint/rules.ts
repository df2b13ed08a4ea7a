// Every lint rule, in report order. The IDs are part of the interface (issue 6).
import { buildkitForbiddenRule } from './buildkit-forbidden.js';
import { buildkitSyntaxRule } from './buildkit-syntax.js';
import { commitAncestorRule, commitFetchableRule, largeTarballRule } from './commits.js';
import { dockerfileMissingRule } from './dockerfile-missing.js';
import { fromConstraintsRule } from './from-constraints.js';
import { fromArchitecturesRule } from './from-architectures.js';
import { latestTagRule } from './latest-tag.js';
import { parseRule } from './parse.js';
import { sharedTagsRule } from './shared-tags.js';
import { ociLayoutRule } from './oci-layout.js';
import { type LintRule } from './types.js';
import { unknownBuilderRule } from './unknown-builder.js';

export const RULES: readonly LintRule[] = [
  parseRule, latestTagRule, sharedTagsRule, unknownBuilderRule,
  dockerfileMissingRule, fromArchitecturesRule, fromConstraintsRule, buildkitSyntaxRule, buildkitForbiddenRule, ociLayoutRule,
  commitFetchableRule, commitAncestorRule, largeTarballRule,
];
