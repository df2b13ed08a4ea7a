// Argument vectors and environments of the docker commands a build runs (spec §4.7, §4.9). Pure:
// unit-tested as data, then run by lib/docker/run.ts with argument arrays (never a shell).

export interface DockerCommand {
  args: string[];
  /** Extra environment on top of the inherited one. */
  env: Record<string, string>;
}

/** classic: `DOCKER_BUILDKIT=0 docker build --tag ... --file F --rm --force-rm -` (context on stdin). */
export function classicBuild(tags: readonly string[], file: string, platform: string | null): DockerCommand {
  const args = ['build'];
  for (const t of tags) args.push('--tag', t);
  if (file !== '') args.push('--file', file);
  args.push('--rm', '--force-rm', '-');
  const env: Record<string, string> = { DOCKER_BUILDKIT: '0' };
  if (platform !== null) env.DOCKER_DEFAULT_PLATFORM = platform;
  return { args, env };
}

/** Cache hit found in Docker: re-tag through a one-line Dockerfile `FROM bashbrew/cache:HASH` on stdin. */
export function retagBuild(imageTags: readonly string[]): DockerCommand {
  return classicBuild(imageTags, '', null);
}

export interface BuildkitEnv {
  /** BASHBREW_BUILDKIT_SYNTAX: undefined when unset (an error), "" when set but empty. */
  syntax: string | undefined;
  /** BUILDX_BUILDER (empty = the default builder). */
  buildxBuilder: string;
  /** BASHBREW_BUILDKIT_SBOM_GENERATOR: undefined when unset. */
  sbomGenerator: string | undefined;
}

export class BuildkitEnvError extends Error {}

/**
 * buildkit: `docker buildx build --progress plain --build-arg BUILDKIT_SYNTAX=... [--provenance
 * mode=max] [--sbom generator=...] [--platform P] --tag ... --file F - [--output type=oci]`.
 * One deliberate difference: an empty BASHBREW_BUILDKIT_SYNTAX leaves the build-arg out (the
 * reference passes `BUILDKIT_SYNTAX=`, which current BuildKit rejects), so the builder's built-in
 * Dockerfile frontend is used — what makes offline and air-gapped builds work.
 */
export function buildkitBuild(tags: readonly string[], file: string, platform: string | null, env: BuildkitEnv): DockerCommand {
  if (env.syntax === undefined) throw new BuildkitEnvError('missing "BASHBREW_BUILDKIT_SYNTAX"');
  const args = ['buildx', 'build', '--progress', 'plain'];
  if (env.syntax !== '') args.push('--build-arg', 'BUILDKIT_SYNTAX=' + env.syntax);
  const withBuilder = env.buildxBuilder !== '';
  if (withBuilder) args.push('--provenance', 'mode=max');
  if (env.sbomGenerator !== undefined) {
    if (!withBuilder) throw new BuildkitEnvError('have "BASHBREW_BUILDKIT_SBOM_GENERATOR" but missing "BUILDX_BUILDER"');
    args.push('--sbom', 'generator=' + env.sbomGenerator);
  }
  if (platform !== null) args.push('--platform', platform);
  for (const t of tags) args.push('--tag', t);
  if (file !== '') args.push('--file', file);
  args.push('-');
  if (withBuilder) args.push('--output', 'type=oci');
  return { args, env: {} };
}

/** `docker pull REF` */
export function pull(ref: string): DockerCommand {
  return { args: ['pull', ref], env: {} };
}

/** `docker tag SOURCE TARGET` */
export function tag(source: string, target: string): DockerCommand {
  return { args: ['tag', source, target], env: {} };
}

/** `docker load` (a docker-archive on stdin) */
export function load(): DockerCommand {
  return { args: ['load'], env: {} };
}

/** `docker push REF` */
export function push(ref: string): DockerCommand {
  return { args: ['push', ref], env: {} };
}
