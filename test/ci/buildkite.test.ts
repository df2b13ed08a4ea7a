// `bashbrew ci buildkite`: the pipeline is parsed back with a YAML library and checked against
// what `bashbrew --arch ARCH build` would build (the same planner), and against the FROMs.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { buildkitePipeline, type BuildkiteUnit, chainJobs } from '../../lib/ci/buildkite.js';
import { toYAML, type YAMLValue, yamlString } from '../../lib/ci/yaml.js';
import { ensureGitFixtures } from '../helpers/git-fixtures.js';
import { specDir } from '../helpers/paths.js';
import { bashbrew } from '../helpers/run-cli.js';
import { appFixture } from './fixtures.js';

interface Step {
  label: string;
  key: string;
  command?: string;
  env?: Record<string, string>;
  agents: { queue: string };
  depends_on?: string[];
  plugins?: { kubernetes: { commandParams: { interposer: string }; podSpec: PodSpec } }[];
}
interface PodSpec {
  containers: { image: string; command: string[]; args: string[]; env: { name: string; value: string }[]; volumeMounts: { name: string; mountPath: string }[] }[];
  volumes: Record<string, unknown>[];
}

/** The argument vector of a step (after `bashbrew`), from the command or the podSpec. */
function argv(step: Step): string[] {
  const k = step.plugins?.[0]?.kubernetes;
  if (k !== undefined) return k.podSpec.containers[0]!.args;
  const words = step.command!.split(' ');
  assert.equal(words[0], 'bashbrew');
  return words.slice(1);
}

/** The command of a step and its arguments after it (`build`, `push`, `put-shared`). */
function action(step: Step): { arch: string | null; verb: string; args: string[] } {
  const a = argv(step);
  const at = a.findIndex((w) => w === 'build' || w === 'push' || w === 'put-shared');
  const archAt = a.indexOf('--arch');
  return { arch: archAt >= 0 && archAt < at ? a[archAt + 1]! : null, verb: a[at]!, args: a.slice(at + 1) };
}

function run(args: string[], env: Record<string, string>): string {
  const r = bashbrew(args, env);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

/** Per entry `repo:firsttag` for ARCH: its image names and its FROMs (via the template plumbing). */
function facts(env: Record<string, string>, arch: string, repos: string[]): Map<string, { images: string[]; froms: string[] }> {
  const format = '{{- range $e := .Entries -}}{{- if $e.HasArchitecture arch -}}'
    + '{{- $.RepoName }}:{{ $e.Tags | first }}|{{ join " " ($.Tags "" false $e) }}|{{ join " " ($.ArchDockerFroms arch $e) }}{{ "\\n" -}}'
    + '{{- end -}}{{- end -}}';
  const out = run(['--arch', arch, 'cat', '--format', format, ...repos], env);
  const map = new Map<string, { images: string[]; froms: string[] }>();
  for (const line of out.split('\n').filter(Boolean)) {
    const [entry, images, froms] = line.split('|');
    map.set(entry!, { images: images!.split(' '), froms: froms!.split(' ').filter(Boolean) });
  }
  return map;
}

/** Checks a pipeline: keys, dependencies, order, and each image once per arch with its parents first. */
function checkPipeline(yamlText: string, env: Record<string, string>, arches: string[], repos: string[], globalArgs: string[] = []): Step[] {
  const { steps } = parse(yamlText) as { steps: Step[] };
  const index = new Map<string, number>();
  steps.forEach((s, i) => {
    assert.ok(/^[A-Za-z0-9_-]+$/.test(s.key), `key ${s.key}`);
    assert.ok(!index.has(s.key), `duplicate key ${s.key}`);
    index.set(s.key, i);
  });
  // every depends_on points at an existing, earlier step (so: no cycles, parents before children)
  steps.forEach((s, i) => {
    for (const d of s.depends_on ?? []) {
      assert.ok(index.has(d), `${s.key} depends on a missing ${d}`);
      assert.ok(index.get(d)! < i, `${s.key} comes before its dependency ${d}`);
    }
  });
  const visiting = new Set<string>();
  const done = new Set<string>();
  const visit = (k: string) => {
    assert.ok(!visiting.has(k), `cycle through ${k}`);
    if (done.has(k)) return;
    visiting.add(k);
    for (const d of steps[index.get(k)!]!.depends_on ?? []) visit(d);
    visiting.delete(k);
    done.add(k);
  };
  for (const s of steps) visit(s.key);

  for (const arch of arches) {
    // what `bashbrew --arch ARCH build REPOS` builds, in its order
    const wanted = run([...globalArgs, '--arch', arch, 'list', '--build-order', '--apply-constraints', '--uniq', ...repos], env)
      .split('\n').filter(Boolean);
    const stepOf = new Map<string, Step>();
    const built: string[] = [];
    for (const s of steps) {
      const a = action(s);
      if (a.verb !== 'build' || a.arch !== arch) continue;
      assert.equal(s.agents.queue, `builder-${arch}`);
      for (const e of a.args) {
        assert.ok(!stepOf.has(e), `${e} is built twice for ${arch}`);
        stepOf.set(e, s);
        built.push(e);
      }
    }
    assert.deepEqual([...built].sort(), [...wanted].sort(), `the images of ${arch}`);
    // a step waits for the steps that build its FROMs (or builds them itself, before)
    const f = facts(env, arch, repos);
    const producer = new Map<string, string>();
    for (const e of built) for (const image of f.get(e)!.images) producer.set(image, e);
    for (const e of built) {
      const s = stepOf.get(e)!;
      for (const from of f.get(e)!.froms) {
        const p = producer.get(from);
        if (p === undefined) continue;
        const ps = stepOf.get(p)!;
        if (ps === s) {
          const args = action(s).args;
          assert.ok(args.indexOf(p) < args.indexOf(e), `${p} before ${e} in ${s.key}`);
        } else {
          assert.ok((s.depends_on ?? []).includes(ps.key), `${s.key} (${e}) waits for ${ps.key} (${p}, its FROM ${from})`);
        }
      }
    }
  }
  return steps;
}

test('graph library, several arches: every image once per arch, dependencies in order', () => {
  ensureGitFixtures();
  const env = { BASHBREW_LIBRARY: join(specDir, 'graph-cases/library') };
  const arches = ['amd64', 'arm64v8', 'i386', 'windows-amd64'];
  const repos = ['longhist', 'multi', 'osbase', 'runtime', 'sidecar', 'tools', 'webapp', 'winapp'];
  const yamlText = run(['ci', 'buildkite', '--arches', arches.join(','), ...repos], env);
  const steps = checkPipeline(yamlText, env, arches, repos);
  // same-repo chains share a step (tools: trixie-curl, then trixie-scm, then trixie)
  assert.ok(steps.some((s) => action(s).args.join(' ') === 'tools:trixie-curl tools:trixie-scm tools:trixie'));
  // --all gives the same steps
  assert.equal(run(['ci', 'buildkite', '--all', '--arches', arches.join(',')], env), yamlText);
  // with constraints the Windows entries are built too, and the arguments reach the steps
  const withConstraint = run(['--constraint', 'windowsservercore-ltsc2022', 'ci', 'buildkite', '--arches', 'windows-amd64', 'winapp', 'runtime'], env);
  const winSteps = checkPipeline(withConstraint, env, ['windows-amd64'], ['winapp', 'runtime'], ['--constraint', 'windowsservercore-ltsc2022']);
  assert.ok(winSteps.every((s) => argv(s).join(' ').startsWith('--arch windows-amd64 --constraint windowsservercore-ltsc2022 build ')));
  assert.ok(winSteps.length > 0);
});

test('app fixture: chains, buildkit, Windows; publish steps', () => {
  const app = appFixture();
  const env = { BASHBREW_LIBRARY: app.library('app') };
  const arches = ['amd64', 'arm64v8', 'windows-amd64'];
  const yamlText = run(['--constraint', 'windowsservercore-ltsc2025', '--constraint', 'nanoserver-ltsc2025', '--arch-namespace', 'amd64=amd64',
    'ci', 'buildkite', '--arches', arches.join(','), '--publish', 'app'], env);
  const steps = checkPipeline(yamlText, env, arches, ['app'], ['--constraint', 'windowsservercore-ltsc2025', '--constraint', 'nanoserver-ltsc2025']);
  const builds = steps.filter((s) => action(s).verb === 'build').map((s) => `${action(s).arch} ${action(s).args.join(' ')}`);
  assert.ok(builds.includes('amd64 app:1.0 app:1.0-onbuild app:1.0-onbuild-extra'));
  assert.ok(builds.includes('amd64 app:bk app:bk-child'));
  assert.ok(builds.includes('arm64v8 app:bk app:bk-child'));
  assert.ok(builds.includes('windows-amd64 app:win-2025 app:win-2025-nano'));
  assert.ok(builds.includes('arm64v8 app:arm'));
  // push per arch after that arch's builds; put-shared after every push
  const pushes = steps.filter((s) => action(s).verb === 'push');
  assert.deepEqual(pushes.map((s) => action(s).arch), arches);
  for (const p of pushes) {
    const archBuilds = steps.filter((s) => action(s).verb === 'build' && action(s).arch === action(p).arch);
    assert.deepEqual(p.depends_on, archBuilds.map((s) => s.key));
    assert.deepEqual([...action(p).args].sort(), archBuilds.flatMap((s) => action(s).args).sort());
  }
  const putShared = steps.filter((s) => action(s).verb === 'put-shared');
  assert.equal(putShared.length, 1);
  assert.deepEqual(putShared[0]!.depends_on, pushes.map((s) => s.key));
  assert.deepEqual(argv(putShared[0]!), ['--arch-namespace', 'amd64=amd64', 'put-shared', 'app']);
  assert.equal(putShared[0]!.agents.queue, 'builder-amd64');
  assert.equal(steps.at(-1), putShared[0]);
});

test('--kubernetes: the agent stack\'s podSpec, the docker socket or DOCKER_HOST, the cache volume', () => {
  const app = appFixture();
  const env = { BASHBREW_LIBRARY: app.library('app') };
  const socket = parse(run(['ci', 'buildkite', '--kubernetes', '--image', 'example.com/bashbrew:1', '--queue-template', 'k8s-{arch}', 'app'], env)) as { steps: Step[] };
  for (const s of socket.steps) {
    assert.equal(s.command, undefined);
    assert.equal(s.agents.queue, 'k8s-amd64');
    const k = s.plugins![0]!.kubernetes;
    assert.equal(k.commandParams.interposer, 'vector');
    const c = k.podSpec.containers[0]!;
    assert.equal(c.image, 'example.com/bashbrew:1');
    assert.deepEqual(c.command, ['bashbrew']);
    assert.deepEqual(c.args.slice(0, 3), ['--arch', 'amd64', 'build']);
    assert.deepEqual(c.env, [{ name: 'BASHBREW_LIBRARY', value: app.library('app') }, { name: 'BASHBREW_CACHE', value: '/bashbrew-cache' }]);
    assert.deepEqual(c.volumeMounts, [{ name: 'docker-socket', mountPath: '/var/run/docker.sock' }, { name: 'bashbrew-cache', mountPath: '/bashbrew-cache' }]);
    assert.deepEqual(k.podSpec.volumes, [
      { name: 'docker-socket', hostPath: { path: '/var/run/docker.sock', type: 'Socket' } },
      { name: 'bashbrew-cache', hostPath: { path: '/var/cache/bashbrew', type: 'DirectoryOrCreate' } },
    ]);
  }
  const remote = parse(run(['ci', 'buildkite', '--kubernetes', '--image', 'img', '--docker-host', 'tcp://$DIND:2375',
    '--cache-volume', 'pvc:bashbrew-cache', '--agent-library', 'library', 'app'], env)) as { steps: Step[] };
  const k = remote.steps[0]!.plugins![0]!.kubernetes;
  // `$` is doubled: Buildkite interpolates the uploaded pipeline
  assert.deepEqual(k.podSpec.containers[0]!.env, [
    { name: 'BASHBREW_LIBRARY', value: 'library' }, { name: 'DOCKER_HOST', value: 'tcp://$$DIND:2375' }, { name: 'BASHBREW_CACHE', value: '/bashbrew-cache' },
  ]);
  assert.deepEqual(k.podSpec.containers[0]!.volumeMounts, [{ name: 'bashbrew-cache', mountPath: '/bashbrew-cache' }]);
  assert.deepEqual(k.podSpec.volumes, [{ name: 'bashbrew-cache', persistentVolumeClaim: { claimName: 'bashbrew-cache' } }]);

  const missing = bashbrew(['ci', 'buildkite', '--kubernetes', 'app'], env);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /--kubernetes needs --image/);
  const badArch = bashbrew(['ci', 'buildkite', '--arches', 'amd64,vax', 'app'], env);
  assert.equal(badArch.code, 1);
  assert.match(badArch.stderr, /invalid architecture: "vax"/);
});

test('agent library: relative to the checkout when the library is inside the current directory', () => {
  const app = appFixture();
  const r = bashbrew(['--library', 'library', 'ci', 'buildkite', 'app'], {}, app.root);
  assert.equal(r.code, 0, r.stderr);
  const steps = (parse(r.stdout) as { steps: Step[] }).steps;
  assert.deepEqual(steps[0]!.env, { BASHBREW_LIBRARY: 'library' });
  assert.equal(steps[0]!.command, 'bashbrew --arch amd64 build app:1.0 app:1.0-onbuild app:1.0-onbuild-extra');
});

const unit = (repo: string, tag: string, froms: string[]): BuildkiteUnit =>
  ({ repo, group: repo, entry: `${repo}:${tag}`, images: [`${repo}:${tag}`], froms });

test('chaining never makes steps wait for each other in a circle', () => {
  // x:c is FROM x:a and FROM y:b, and y:b is FROM x:a: folding x:c into x:a's step would be a circle
  const circle = [unit('x', 'a', ['debian']), unit('y', 'b', ['x:a']), unit('x', 'c', ['x:a', 'y:b'])];
  const { jobs } = chainJobs(circle);
  assert.deepEqual(jobs.map((j) => j.units), [[0], [1], [2]]);
  assert.deepEqual([...jobs[2]!.deps], [jobs[0], jobs[1]]);
  // y:b independent of x:a: x:c joins x:a's step, which then waits for y:b's, so comes after it
  const fold = [unit('x', 'a', ['debian']), unit('y', 'b', ['debian']), unit('x', 'c', ['x:a', 'y:b'])];
  const folded = chainJobs(fold).jobs;
  assert.deepEqual(folded.map((j) => j.units), [[1], [0, 2]]);
  const yamlText = toYAML(buildkitePipeline([{ arch: 'amd64', units: fold }],
    { queueTemplate: 'q-{arch}', globalArgs: [], env: {}, kubernetes: null, publish: null }));
  assert.equal(yamlText, [
    'steps:',
    '  - label: "build y:b (amd64)"', '    key: "build-amd64-y_b"', '    command: "bashbrew --arch amd64 build y:b"', '    agents:', '      queue: "q-amd64"',
    '  - label: "build x:a, x:c (amd64)"', '    key: "build-amd64-x_a"', '    command: "bashbrew --arch amd64 build x:a x:c"', '    agents:', '      queue: "q-amd64"',
    '    depends_on:', '      - "build-amd64-y_b"',
    '',
  ].join('\n'));
});

test('YAML strings read back as written', () => {
  const strings = ['', 'plain', 'yes', 'null', '123', '- x', 'a: b', '#c', '"q"', "'s'", 'back\\slash', 'tab\there', 'nl\nx',
    '\u0000\u0007\u001b\u007f\u0085\u00a0\u2028\ufeff', 'é😀', '{x}', '[y]', '*alias', '&anchor', '!tag', '%dir', '@at', '`tick`', '|', '>'];
  const doc: YAMLValue = { list: strings, map: Object.fromEntries(strings.map((s, i) => [s === '' ? 'empty' : s, i])), nested: [[], {}, [['a']], { 'kubernetes.io/arch': 'amd64' }] };
  assert.deepEqual(parse(toYAML(doc)), doc);
  for (const s of strings) assert.equal(parse(yamlString(s)), s);
});
