// A Buildkite pipeline that builds the planned units on agents (one step per repo, arch and
// chained job), in the order the build command would: a step depends on the steps that build
// its FROMs. Pure: plan in, YAML text out.
import { shQuote } from './json.js';
import { toYAML, type YAMLValue } from './yaml.js';

export interface BuildkiteUnit {
  /** RepoName: entries of one repo built FROM each other share a step where they can. */
  repo: string;
  /** What push and put-shared act upon for this unit: the repo argument as a name (`repo` or `repo:tag`). */
  group: string;
  /** `repo:firsttag`: the argument `bashbrew build` gets for this entry. */
  entry: string;
  /** Every name the built image answers to (its tags, with and without the namespace). */
  images: string[];
  /** The entry's FROMs for the arch (scratch and images from elsewhere included). */
  froms: string[];
}

/** The units `bashbrew --arch ARCH build` would build, in its order. */
export interface BuildkiteArchPlan {
  arch: string;
  units: BuildkiteUnit[];
}

export interface KubernetesOptions {
  /** The image the step runs in: needs bashbrew, git and the docker CLI. */
  image: string;
  /** The node's docker socket, mounted at /var/run/docker.sock; empty: none (DOCKER_HOST in `env` instead). */
  dockerSocket: string;
  /** The bashbrew cache volume: a host path, or `pvc:CLAIM` for a persistent volume claim. */
  cacheVolume: string;
}

export interface BuildkiteOptions {
  /** The agents queue of an arch: `{arch}` is replaced (e.g. `builder-{arch}`). */
  queueTemplate: string;
  /** Global bashbrew options every build and push step passes after `--arch ARCH`. */
  globalArgs: string[];
  /** Environment of every step (e.g. BASHBREW_LIBRARY relative to the agent's checkout). */
  env: Record<string, string>;
  kubernetes: KubernetesOptions | null;
  /** Push and put-shared steps after the builds, or null. */
  publish: { queue: string; putSharedArgs: string[] } | null;
}

/** A job: units of one repo chained into one step, and the jobs it waits for. */
interface Job {
  units: number[];
  deps: Set<Job>;
  key: string;
}

/** Buildkite interpolates `$VAR` in uploaded pipelines; `$$` is a literal `$`. */
function literal(s: string): string {
  return s.replace(/\$/g, '$$$$');
}

function shellWord(s: string): string {
  return /^[A-Za-z0-9_./:=,@%+-]+$/.test(s) ? s : shQuote(s);
}

const CACHE_MOUNT = '/bashbrew-cache';

class Keys {
  readonly #used = new Set<string>();
  make(...parts: string[]): string {
    const base = parts.join('-').replace(/[^A-Za-z0-9_-]/g, '_');
    let k = base;
    for (let n = 2; this.#used.has(k); n++) k = `${base}-${n}`;
    this.#used.add(k);
    return k;
  }
}

/** Whether job `from` waits for `to`, directly or through others. */
function dependsOn(from: Job, to: Job): boolean {
  const seen = new Set<Job>();
  const stack = [from];
  while (stack.length > 0) {
    const j = stack.pop()!;
    for (const d of j.deps) {
      if (d === to) return true;
      if (!seen.has(d)) {
        seen.add(d);
        stack.push(d);
      }
    }
  }
  return false;
}

/**
 * Groups an arch's units into jobs: an entry joins the job of a same-repo entry it is built
 * FROM, unless that would make the jobs wait for each other in a circle; returns the jobs in an
 * order where every job comes after the jobs it waits for (ties: plan order).
 */
export function chainJobs(units: readonly BuildkiteUnit[]): { jobs: Job[]; jobOf: Job[] } {
  const producers = new Map<string, number[]>();
  units.forEach((u, i) => {
    for (const name of new Set(u.images)) producers.set(name, [...(producers.get(name) ?? []), i]);
  });
  const jobOf: Job[] = [];
  const created: Job[] = [];
  units.forEach((u, i) => {
    const parents = [...new Set(u.froms.flatMap((f) => producers.get(f) ?? []))].filter((p) => p < i).sort((a, b) => a - b);
    const parentJobs = [...new Set(parents.map((p) => jobOf[p]!))];
    let job: Job | undefined;
    for (const p of parents) {
      if (units[p]!.repo !== u.repo) continue;
      const candidate = jobOf[p]!;
      if (parentJobs.every((j) => j === candidate || !dependsOn(j, candidate))) {
        job = candidate;
        break;
      }
    }
    if (job === undefined) {
      job = { units: [], deps: new Set(), key: '' };
      created.push(job);
    }
    job.units.push(i);
    jobOf[i] = job;
    for (const j of parentJobs) if (j !== job) job.deps.add(j);
  });
  // Kahn's algorithm, always taking the ready job whose first unit comes first
  const ordered: Job[] = [];
  const done = new Set<Job>();
  const pending = [...created];
  while (pending.length > 0) {
    const at = pending.findIndex((j) => [...j.deps].every((d) => done.has(d)));
    if (at < 0) throw new Error('internal: the build steps wait for each other in a circle');
    const [j] = pending.splice(at, 1);
    ordered.push(j!);
    done.add(j!);
  }
  return { jobs: ordered, jobOf };
}

function kubernetesPlugin(k: KubernetesOptions, args: string[], env: Record<string, string>): YAMLValue {
  const envList: YAMLValue[] = [];
  const vars = { ...env, BASHBREW_CACHE: CACHE_MOUNT };
  for (const [name, value] of Object.entries(vars)) envList.push({ name, value: literal(value) });
  const mounts: YAMLValue[] = [];
  const volumes: YAMLValue[] = [];
  if (k.dockerSocket !== '') {
    mounts.push({ name: 'docker-socket', mountPath: '/var/run/docker.sock' });
    volumes.push({ name: 'docker-socket', hostPath: { path: literal(k.dockerSocket), type: 'Socket' } });
  }
  mounts.push({ name: 'bashbrew-cache', mountPath: CACHE_MOUNT });
  volumes.push(k.cacheVolume.startsWith('pvc:')
    ? { name: 'bashbrew-cache', persistentVolumeClaim: { claimName: literal(k.cacheVolume.slice(4)) } }
    : { name: 'bashbrew-cache', hostPath: { path: literal(k.cacheVolume), type: 'DirectoryOrCreate' } });
  return {
    kubernetes: {
      // `command` and `args` are one argument vector, run without a shell
      commandParams: { interposer: 'vector' },
      podSpec: {
        containers: [{
          image: literal(k.image),
          command: ['bashbrew'],
          args: args.map(literal),
          env: envList,
          volumeMounts: mounts,
        }],
        volumes,
      },
    },
  };
}

/** The pipeline as data (what `renderBuildkite` writes). */
export function buildkitePipeline(plans: readonly BuildkiteArchPlan[], opts: BuildkiteOptions): { steps: YAMLValue[] } {
  const keys = new Keys();
  const steps: YAMLValue[] = [];
  const queue = (arch: string) => literal(opts.queueTemplate.replace(/\{arch\}/g, arch));
  const step = (label: string, key: string, queueName: string, args: string[], deps: string[]): YAMLValue => {
    const s: Record<string, YAMLValue> = { label: literal(label), key };
    if (opts.kubernetes === null) {
      s.command = literal(['bashbrew', ...args].map(shellWord).join(' '));
      if (Object.keys(opts.env).length > 0) s.env = Object.fromEntries(Object.entries(opts.env).map(([k, v]) => [k, literal(v)]));
    }
    s.agents = { queue: queueName };
    if (deps.length > 0) s.depends_on = deps;
    if (opts.kubernetes !== null) s.plugins = [kubernetesPlugin(opts.kubernetes, args, opts.env)];
    return s;
  };
  const pushKeys = new Map<string, string[]>();
  for (const { arch, units } of plans) {
    const { jobs, jobOf } = chainJobs(units);
    for (const job of jobs) {
      const entries = job.units.map((i) => units[i]!.entry);
      job.key = keys.make('build', arch, entries[0]!);
      steps.push(step(`build ${entries.join(', ')} (${arch})`, job.key, queue(arch),
        ['--arch', arch, ...opts.globalArgs, 'build', ...entries], [...job.deps].map((d) => d.key)));
    }
    if (opts.publish === null) continue;
    const groups = new Map<string, number[]>();
    units.forEach((u, i) => groups.set(u.group, [...(groups.get(u.group) ?? []), i]));
    for (const [group, members] of groups) {
      const key = keys.make('push', arch, group);
      const deps = [...new Set(members.map((i) => jobOf[i]!.key))];
      steps.push(step(`push ${group} (${arch})`, key, queue(arch),
        ['--arch', arch, ...opts.globalArgs, 'push', ...members.map((i) => units[i]!.entry)], deps));
      pushKeys.set(group, [...(pushKeys.get(group) ?? []), key]);
    }
  }
  if (opts.publish !== null) {
    for (const [group, deps] of pushKeys) {
      steps.push(step(`put-shared ${group}`, keys.make('put-shared', group), literal(opts.publish.queue),
        [...opts.publish.putSharedArgs, 'put-shared', group], deps));
    }
  }
  return { steps };
}

/** The pipeline YAML (for `buildkite-agent pipeline upload`). */
export function renderBuildkite(plans: readonly BuildkiteArchPlan[], opts: BuildkiteOptions): string {
  return toYAML(buildkitePipeline(plans, opts));
}
