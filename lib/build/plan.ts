// One build step as data: what `bashbrew build` will do for an entry and arch, with the exact
// docker argv and environment. `--dry-run --json` prints these; the executor runs them.
import { type DockerCommand } from '../docker/argv.js';

export type StepAction = 'build' | 'use' | 'import';

export interface BuildStep {
  repo: string;
  /** repo:firsttag (the reference's entry identifier). */
  identifier: string;
  arch: string;
  builder: string;
  cacheTag: string;
  /** Namespaced image tags (Tags then SharedTags; the first only with --uniq). */
  imageTags: string[];
  /** FROM occurrences with the local image id each resolved to (`scratch` for scratch). */
  parents: { from: string; id: string }[];
  /** The build context: COMMIT:DIR of the git cache, as `git archive` streams it. */
  context: string;
  file: string;
  /** OCI platform passed to the builder (only when a FROM is scratch). */
  platform: string | null;
  /** build: nothing cached; use: cached, re-tag; import: oci-import. */
  action: StepAction;
  /** The docker command the step runs (null when a cache hit needs no re-tag). */
  command: DockerCommand | null;
}

/** The JSON shape of a step for `--dry-run --json` (argv spelled out, as a user would type it). */
export function stepToJSON(step: BuildStep): Record<string, unknown> {
  return {
    repo: step.repo, identifier: step.identifier, arch: step.arch, builder: step.builder || 'classic', action: step.action,
    cacheTag: step.cacheTag, tags: step.imageTags, parents: step.parents, context: step.context, file: step.file,
    platform: step.platform, argv: step.command ? ['docker', ...step.command.args] : null, env: step.command?.env ?? {},
  };
}
