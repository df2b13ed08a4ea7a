// The reference's command table: names, aliases, usage text and flags, in its order (spec §1).
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type FlagDef } from './flags.js';
import { type CommandDef } from './help.js';

export const APP_NAME = 'bashbrew';
export const APP_USAGE = 'canonical build tool for the official images';
/** The reference version this tool is a drop-in for (scripts compare it). */
export const VERSION = 'v0.1.15';

export const DEFAULT_CAT_FORMAT = `
{{- if i -}}
	{{- "\\n\\n" -}}
{{- end -}}
{{- with .TagEntries -}}
	{{- range $i, $e := . -}}
		{{- if $i -}}{{- "\\n\\n" -}}{{- end -}}
		{{- $e -}}
	{{- end -}}
{{- else -}}
	{{- .Manifest -}}
{{- end -}}
`;

function home(env: NodeJS.ProcessEnv): string {
  return env.HOME ?? homedir();
}

/**
 * The bundled example library: the default when no library is configured (a deliberate change:
 * the reference defaults to $HOME/docker/official-images/library). This code runs bundled from
 * dist/ (or a chunk below it) or compiled from build/lib/cli/, so walk up to the package root.
 */
export function bundledLibrary(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'library'))) return join(dir, 'library');
    dir = dirname(dir);
  }
  return join(dirname(fileURLToPath(import.meta.url)), 'library');
}

export function globalFlags(env: NodeJS.ProcessEnv): FlagDef[] {
  const xdgConfig = env.XDG_CONFIG_HOME || join(home(env), '.config');
  const xdgCache = env.XDG_CACHE_HOME || join(home(env), '.cache');
  return [
    { name: 'debug', kind: 'bool', envVar: 'BASHBREW_DEBUG', usage: 'enable more output (esp. all "docker build" output instead of only output on failure)' },
    { name: 'no-sort', kind: 'bool', usage: 'do not apply any sorting, even via --build-order' },
    { name: 'arch', kind: 'string', value: 'amd64', envVar: 'BASHBREW_ARCH', usage: 'the current platform architecture' },
    { name: 'namespace', kind: 'string', envVar: 'BASHBREW_NAMESPACE', usage: 'a repo namespace to act upon/in' },
    { name: 'constraint', kind: 'stringSlice', envVar: 'BASHBREW_CONSTRAINTS', usage: 'build constraints (see Constraints in Manifest2822Entry)' },
    { name: 'exclusive-constraints', kind: 'bool', usage: 'skip entries which do not have Constraints' },
    { name: 'arch-namespace', kind: 'stringSlice', envVar: 'BASHBREW_ARCH_NAMESPACES', usage: 'architecture to push namespace mappings for creating indexes/manifest lists ("arch=namespace" ala "s390x=tianons390x")' },
    { name: 'config', kind: 'string', value: join(xdgConfig, 'bashbrew'), envVar: 'BASHBREW_CONFIG', usage: 'where default "flags" configuration can be overridden more persistently' },
    { name: 'library', kind: 'string', value: bundledLibrary(), envVar: 'BASHBREW_LIBRARY', usage: 'where the bodies are buried' },
    { name: 'cache', kind: 'string', value: join(xdgCache, 'bashbrew'), envVar: 'BASHBREW_CACHE', usage: 'where the git wizardry is stashed' },
  ];
}

export const HELP_FLAG: FlagDef = { name: 'help, h, ?', kind: 'bool', usage: 'show help' };
export const VERSION_FLAG: FlagDef = { name: 'version, v', kind: 'bool', usage: 'print the version' };

const common = {
  all: { name: 'all', kind: 'bool', usage: 'act upon all repos listed in --library' },
  uniq: { name: 'uniq, unique', kind: 'bool', usage: 'only act upon the first tag of each entry' },
  applyConstraints: { name: 'apply-constraints', kind: 'bool', usage: 'apply all Constraints (including Architectures) as if repos were building' },
  archFilter: { name: 'arch-filter', kind: 'bool', usage: 'like apply-constraints, but only for Architectures' },
  buildOrder: { name: 'build-order', kind: 'bool', usage: 'sort by the order repos would need to build (topsort)' },
  depth: { name: 'depth', kind: 'int', value: 0, usage: 'maximum number of levels to traverse (0 for unlimited)' },
  dryRun: { name: 'dry-run', kind: 'bool', usage: 'do everything except the final action (for testing whether actions will be performed)' },
  force: { name: 'force', kind: 'bool', usage: "always push (skip the clever Hub API lookups that no-op things sooner if a push doesn't seem necessary)" },
  targetNamespace: { name: 'target-namespace', kind: 'string', usage: 'target namespace to act into ("docker tag namespace/repo:tag target-namespace/repo:tag", "docker push target-namespace/repo:tag")' },
  json: { name: 'json', kind: 'bool', usage: 'output machine-readable JSON instead of human-readable text' },
} satisfies Record<string, FlagDef>;

/** Our additions: flags the reference does not have (not shown in the reference-compatible help). */
export const JSON_OUTPUT_FLAG: FlagDef = { name: 'json', kind: 'bool', usage: 'print machine-readable JSON (bashbrew-ts extension)' };

export const COMMANDS: CommandDef[] = [
  { name: 'list', aliases: ['ls'], usage: 'list repo:tag combinations for a given repo',
    flags: [common.all, common.uniq, common.applyConstraints, common.archFilter, common.buildOrder,
      { name: 'repos', kind: 'bool', usage: 'list only repos, not repo:tag (unless "repo:tag" is explicitly specified)' }] },
  { name: 'build', usage: 'build (and tag) repo:tag combinations for a given repo',
    flags: [common.all, common.uniq,
      { name: 'pull', kind: 'string', value: 'missing', envVar: 'BASHBREW_PULL', usage: 'pull FROM before building (always, missing, never)' },
      common.dryRun] },
  { name: 'tag', usage: 'tag repo:tag into a namespace (especially for pushing)',
    flags: [common.all, common.uniq, common.dryRun, common.targetNamespace] },
  { name: 'push', usage: 'push namespace/repo:tag (see also "tag")',
    flags: [common.all, common.uniq, common.dryRun, common.force, common.targetNamespace] },
  { name: 'put-shared', usage: 'update shared tags in the registry (and multi-architecture tags)',
    flags: [common.all, common.dryRun, common.force, common.targetNamespace,
      { name: 'single-arch', kind: 'bool', usage: 'only act on the current architecture (for pushing "amd64/hello-world:latest", for example)' }] },
  { name: 'children', aliases: ['offspring', 'descendants', 'progeny'], usage: 'print the repos built FROM a given repo or repo:tag',
    category: 'plumbing', flags: [common.applyConstraints, common.archFilter, common.depth, common.uniq] },
  { name: 'parents', aliases: ['ancestors', 'progenitors'], usage: 'print the repos this repo or repo:tag is FROM',
    category: 'plumbing', flags: [common.applyConstraints, common.archFilter, common.depth, common.uniq] },
  { name: 'cat', usage: 'print manifest contents for repo or repo:tag', category: 'plumbing',
    description: 'see Go\'s "text/template" package (https://golang.org/pkg/text/template/) for details on the syntax expected in "--format"',
    flags: [common.all,
      { name: 'format, f', kind: 'string', value: DEFAULT_CAT_FORMAT, usage: 'change the `FORMAT` of the output' },
      { name: 'format-file, F', kind: 'string', usage: 'use the contents of `FILE` for "--format"' },
      common.buildOrder] },
  { name: 'from', usage: 'print FROM for repo:tag', category: 'plumbing',
    flags: [common.all, common.uniq, common.applyConstraints, common.archFilter] },
  { name: 'fetch', usage: 'ensure Git contents are local', category: 'plumbing',
    flags: [common.all, common.applyConstraints, common.archFilter] },
  { name: 'context', usage: '(eventually Dockerfile-filtered) git archive', category: 'plumbing',
    flags: [{ name: 'sha256', kind: 'bool', usage: 'print sha256 instead of raw tar' }] },
  { name: 'remote', usage: 'query registries for bashbrew-related data', category: 'plumbing', flags: [],
    subcommands: [{ name: 'arches', usage: 'returns a list of bashbrew architectures and content descriptors for the specified image(s)', flags: [common.json] }] },
  // bashbrew-ts extension (hidden from the application's help, which stays the reference's)
  { name: 'lint', usage: 'check library files the way the official-images CI does (and more)', category: 'plumbing', hidden: true,
    argsUsage: '[REPO...]', flags: [common.all,
      { name: 'format', kind: 'string', value: 'text', usage: 'output format: text (the CI scripts\' wording), json or github (annotations)' },
      { name: 'rule', kind: 'stringSlice', usage: 'only run this rule `ID` (repeatable)' },
      { name: 'skip-rule', kind: 'stringSlice', usage: 'do not run this rule `ID` (repeatable)' },
      { name: 'changed-since', kind: 'string', usage: 'lint the library files changed between `GIT_REF` and HEAD (as the official-images CI does)' },
      { name: 'external-pins', kind: 'string', usage: 'the official-images `.external-pins` directory (default: next to --library)' }] },
  { name: 'ci', usage: 'generate CI pipelines that build repos in build order', category: 'plumbing', flags: [], hidden: true,
    description: 'generate CI pipelines that build repos in build order (GitHub Actions matrix, Buildkite), from the plan "build" uses',
    subcommands: [
      { name: 'github-matrix', usage: 'print the GitHub Actions strategy JSON of docker-library/bashbrew\'s generate.sh for the given repos',
        argsUsage: '[REPO...]', flags: [common.all] },
      { name: 'buildkite', usage: 'print a Buildkite pipeline (YAML) that builds the given repos on agents, in build order',
        argsUsage: '[REPO[:TAG]...]', flags: [common.all,
          { name: 'arches', kind: 'string', usage: 'comma-separated architectures to build for ("all": every supported one; default: --arch)' },
          { name: 'queue-template', kind: 'string', value: 'builder-{arch}', usage: 'agents queue of each architecture ("{arch}" is replaced)' },
          { name: 'agent-library', kind: 'string', usage: 'BASHBREW_LIBRARY of the steps (default: --library, relative to the current directory when inside it)' },
          { name: 'docker-host', kind: 'string', usage: 'DOCKER_HOST of the steps (in --kubernetes mode instead of mounting the node\'s docker socket)' },
          { name: 'kubernetes', kind: 'bool', usage: 'run each step as a pod of the Buildkite agent stack for Kubernetes ("kubernetes" plugin podSpec)' },
          { name: 'image', kind: 'string', usage: 'with --kubernetes: the image steps run in (with bashbrew, git and the docker CLI)' },
          { name: 'docker-socket', kind: 'string', value: '/var/run/docker.sock', usage: 'with --kubernetes: the node\'s docker socket to mount (unless --docker-host)' },
          { name: 'cache-volume', kind: 'string', value: '/var/cache/bashbrew', usage: 'with --kubernetes: the bashbrew cache volume: a node path, or "pvc:CLAIM"' },
          { name: 'publish', kind: 'bool', usage: 'add "push" steps per repo and arch and "put-shared" steps per repo' },
          { name: 'publish-queue', kind: 'string', usage: 'agents queue of the put-shared steps (default: the queue of --arch)' },
        ] },
    ] },
];

/** Extra flags each command accepts beyond the reference's (hidden from the reference-identical help). */
export const EXTRA_FLAGS: Record<string, FlagDef[]> = {
  list: [JSON_OUTPUT_FLAG],
  cat: [JSON_OUTPUT_FLAG],
  build: [
    { name: 'parallel', kind: 'int', value: 1, usage: 'build up to N independent entries at once (children always wait for their parents)' },
    { name: 'keep-going', kind: 'bool', usage: 'build everything that can be built; report every failure at the end' },
    { name: 'timeout', kind: 'string', usage: 'stop a single build after this long (e.g. "30m")' },
    { name: 'logs', kind: 'string', usage: 'write each build\'s output to a file in this directory' },
    { name: 'json', kind: 'bool', usage: 'with --dry-run: print the plan as JSON' },
  ],
};
