// The GitHub Actions job matrix of the reference's scripts/github-actions/generate.sh (spec
// commands-and-builds.md §10, ecosystem.md §3.3), computed from data: the entries in
// `list --build-order --uniq` order with their per-arch facts and the job each one is chained
// onto. Pure: plan in, JSON text out (byte for byte what generate.sh prints).
import { compareBytes } from '../manifest/entry.js';
import { type JSONValue, jqJSON, shQuote } from './json.js';

/** The per-entry object generate.sh builds with `bashbrew cat --format` (key order matters). */
export interface MatrixEntryMeta {
  /** The entry's first tag. */
  name: string;
  /** `namespace/repo:tag` for each of Tags then SharedTags. */
  tags: string[];
  directory: string;
  file: string;
  builder: string;
  constraints: string[];
  /** ArchDockerFroms for the chosen arch. */
  froms: string[];
  /** ociPlatform(arch).String. */
  platform: string;
}

export interface MatrixItem {
  /** The entry's `list --build-order --uniq` line (its first tag, with the namespace). */
  tag: string;
  meta: MatrixEntryMeta;
  /**
   * The `tag` of the job this entry is folded into (its ultimate same-repo parent, normalised
   * with `list --uniq`), or null when the entry has no same-repo parent: a job of its own.
   */
  chainTo: string | null;
}

interface Job {
  name: string;
  os: string;
  meta: { entries: MatrixEntryMeta[] };
  runs: { build: string; history: string; test: string };
}

/** The run-time environment the reference's buildkit setup output is turned into (jq program, verbatim). */
const ENV_OBJECT_TO_GITHUB_ENV_FILE_JQ = '\n\t\t\tto_entries | map(\n\t\t\t\t(.key | if test("[^a-zA-Z0-9_]+") then\n'
  + '\t\t\t\t\terror("invalid env key: \\(.)")\n\t\t\t\telse . end)\n\t\t\t\t+ "="\n'
  + '\t\t\t\t+ (.value | if test("[\\r\\n]+") then\n\t\t\t\t\terror("invalid env value: \\(.)")\n'
  + '\t\t\t\telse . end)\n\t\t\t) | join("\\n")\n\t\t';

/** The runner OS from an entry's Constraints (jq's `contains` on strings is a substring test). */
export function osForConstraints(constraints: readonly string[]): string {
  const has = (s: string) => constraints.some((c) => c.includes(s));
  if (has('windowsservercore-ltsc2025') || has('nanoserver-ltsc2025')) return 'windows-2025';
  if (has('windowsservercore-ltsc2022') || has('nanoserver-ltsc2022')) return 'windows-2022';
  if (constraints.length === 0 || (constraints.length === 1 && constraints[0] === '!aufs')) return 'ubuntu-latest';
  // intentionally invalid, so that GitHub chokes and someone notices
  return 'invalid-or-unknown';
}

function buildCommand(m: MatrixEntryMeta): string {
  let builder: string;
  if (m.builder === 'classic' || m.builder === '') builder = 'DOCKER_BUILDKIT=0 docker build';
  else if (m.builder === 'buildkit') builder = 'docker buildx build --progress plain --build-arg BUILDKIT_SYNTAX="$BASHBREW_BUILDKIT_SYNTAX"';
  else builder = 'echo >&2 ' + shQuote('error: unknown/unsupported builder: ' + m.builder) + '\nexit 1\n#';
  return [
    builder,
    '--platform', m.platform,
    ...m.tags.map((t) => '--tag ' + shQuote(t)),
    ...(m.file !== 'Dockerfile' ? ['--file', shQuote(m.directory + '/' + m.file)] : []),
    shQuote(m.directory),
  ].join(' ');
}

function newJob(m: MatrixEntryMeta): Job {
  const first = m.tags[0] ?? '';
  return {
    name: m.name,
    os: osForConstraints(m.constraints),
    meta: { entries: [m] },
    runs: {
      build: buildCommand(m),
      history: 'docker history ' + shQuote(first),
      test: [
        'set -- ' + shQuote(first),
        'if [ -s ./.test/config.sh ]; then set -- --config ~/oi/test/config.sh --config ./.test/config.sh "$@"; fi',
        '~/oi/test/run.sh "$@"',
      ].join('\n'),
    },
  };
}

function chain(parent: Job, child: Job): Job {
  return {
    name: parent.name + ', ' + child.name,
    os: parent.os === child.os ? parent.os : `invalid-os-chain--${parent.os}+${child.os}`,
    meta: { entries: [...parent.meta.entries, ...child.meta.entries] },
    runs: {
      build: parent.runs.build + '\n' + child.runs.build,
      history: parent.runs.history + '\n' + child.runs.history,
      test: parent.runs.test + '\n' + child.runs.test,
    },
  };
}

function unique(list: readonly string[]): string[] {
  return [...new Set(list)].sort(compareBytes);
}

function finish(job: Job): JSONValue {
  const entries = job.meta.entries;
  const tags = new Set(entries.flatMap((e) => e.tags));
  const froms = unique(entries.flatMap((e) => e.froms).filter((f) => !tags.has(f)));
  const windows = job.os.startsWith('windows-');
  const prepare: string[] = [];
  if (windows) {
    prepare.push(
      '# enable symlinks on Windows (https://git-scm.com/docs/git-config#Documentation/git-config.txt-coresymlinks)',
      'git config --global core.symlinks true',
      '# ... make sure they are *real* symlinks (https://github.com/git-for-windows/git/pull/156)',
      'export MSYS=winsymlinks:nativestrict',
      '# make sure line endings get checked out as-is',
      'git config --global core.autocrlf false',
    );
  }
  prepare.push('git clone --depth 1 https://github.com/docker-library/official-images.git -b master ~/oi');
  prepare.push('# https://github.com/docker-library/bashbrew/pull/43');
  if (entries.some((e) => e.builder === 'buildkit')) {
    // no BASHBREW_ARCH here on purpose (https://github.com/docker-library/bashbrew/pull/70#issuecomment-1461033890)
    prepare.push(
      'buildkitEnvs="$(~/oi/.bin/bashbrew-buildkit-env-setup.sh)"',
      'jq <<<"$buildkitEnvs" -r ' + shQuote(ENV_OBJECT_TO_GITHUB_ENV_FILE_JQ) + ' | tee -a "$GITHUB_ENV"',
    );
  }
  prepare.push('# create a dummy empty image/layer so we can --filter since= later to get a meaningful image list');
  const marker = windows ? 'mcr.microsoft.com/windows/servercore:ltsc' + job.os.slice('windows-'.length) : 'busybox:latest';
  prepare.push(`{ echo FROM ${marker}; echo RUN :; } | docker build --no-cache --tag image-list-marker -`);
  return {
    name: job.name,
    os: job.os,
    meta: {
      entries: entries.map((e) => ({
        name: e.name, tags: e.tags, directory: e.directory, file: e.file, builder: e.builder,
        constraints: e.constraints, froms: e.froms, platform: e.platform,
      })),
      froms,
      dockerfiles: entries.map((e) => e.directory + '/' + e.file),
    },
    runs: {
      ...job.runs,
      prepare: prepare.join('\n'),
      pull: froms.filter((f) => f !== 'scratch').map((f) => 'docker pull ' + shQuote(f)).join('\n'),
      images: 'docker image ls --filter since=image-list-marker',
    },
  };
}

/** A chained entry whose job does not exist (generate.sh dies on an unbound array element). */
export class MatrixChainError extends Error {}

/** The strategy object: `{"fail-fast": false, "matrix": {"include": [JOB...]}}`. */
export function githubMatrix(items: readonly MatrixItem[]): JSONValue {
  const jobs = new Map<string, Job>();
  const order: string[] = [];
  for (const item of items) {
    const job = newJob(item.meta);
    if (item.chainTo === null) {
      jobs.set(item.tag, job);
      order.push(item.tag); // (a tag listed twice is printed twice, as generate.sh does)
      continue;
    }
    const parent = jobs.get(item.chainTo);
    if (parent === undefined) {
      throw new MatrixChainError(`${JSON.stringify(item.tag)} is built FROM ${JSON.stringify(item.chainTo)}, which has no job of its own (it is not built before it, or is itself folded into another job)`);
    }
    jobs.set(item.chainTo, chain(parent, job));
  }
  return { 'fail-fast': false, matrix: { include: order.map((tag) => finish(jobs.get(tag)!)) } };
}

/** What generate.sh prints: compact JSON, or jq's two-space layout on a terminal; then "\n". */
export function renderGithubMatrix(items: readonly MatrixItem[], opts: { pretty?: boolean } = {}): string {
  return jqJSON(githubMatrix(items), opts.pretty ? 2 : 0) + '\n';
}
