// Numeric settings from the environment (BASHBREW_REGISTRY_RETRIES and the like): unset or empty means the
// default, anything else must be a whole number in range or the command stops with a clear error.

/** A whole number ≥ min from `env[name]`; undefined when unset or empty. */
export function envWholeNumber(env: NodeJS.ProcessEnv, name: string, min: number): number | undefined {
  const text = env[name];
  if (text === undefined || text === '') return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min) throw new Error(`invalid ${name} ${JSON.stringify(text)} (a whole number, at least ${min})`);
  return n;
}
