// A bound on how many async tasks run at once (registry look-ups, blob uploads): enough to hide
// latency, few enough not to trip a registry's rate limits or exhaust sockets.

import { envWholeNumber } from './config/env-number.js';

export type Limiter = <T>(task: () => Promise<T>) => Promise<T>;

/** Runs tasks with at most `max` in flight; the others wait in FIFO order. */
export function limiter(max: number): Limiter {
  if (!Number.isInteger(max) || max < 1) throw new Error(`invalid concurrency ${max} (at least 1)`);
  let running = 0;
  const waiting: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    // a finishing task hands its slot straight to the next waiter (no gap a newcomer could use)
    if (running >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next !== undefined) next();
      else running--;
    }
  };
}

/** `BASHBREW_REGISTRY_CONCURRENCY` (default 8): concurrent registry requests of one command. */
export function registryConcurrency(env: NodeJS.ProcessEnv): number {
  return envWholeNumber(env, 'BASHBREW_REGISTRY_CONCURRENCY', 1) ?? 8;
}

/**
 * Marks a promise started early (a look-up for later) as handled, so a failure is reported where the caller
 * awaits it in order, not as an unhandled rejection when it happens. Returns the same promise.
 */
export function startedEarly<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}
