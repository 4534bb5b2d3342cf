import { backoff as fullJitter } from '@firetower/server';

/**
 * The broker's retry delay: the server's full-jitter backoff, in [0, min(max, min · 2^step)),
 * but never under `minMs / 2`: a node retrying a service that answers at once (a refusing proxy,
 * a service that forgets it) must not spin.
 */
export function backoff(step: number, minMs: number, maxMs: number): number {
  return Math.max(minMs / 2, fullJitter(step, minMs, maxMs));
}

/** Resolve after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
