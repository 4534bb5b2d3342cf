/**
 * Full-jitter exponential backoff: a uniformly random delay in [0, min(maxMs, minMs · 2^attempt)).
 * Spreading retries over the whole window keeps a crowd of clients that lost the same server (or
 * nodes that lost the same service) from coming back in lockstep. Pure, so it is tested without
 * timers. The one copy: the client's reconnect and every cluster broker use it.
 *
 * @param attempt 0 for the first retry after a failure.
 * @param random a source in [0, 1); `Math.random` in production.
 */
export function backoff(attempt: number, minMs: number, maxMs: number, random: () => number = Math.random): number {
  const step = attempt > 0 ? Math.floor(attempt) : 0; // NaN and negatives count as the first retry
  // 2^step overflows to Infinity past ~1023; Math.min caps it either way.
  const ceiling = Math.min(maxMs, minMs * 2 ** step);
  return Math.floor(random() * Math.max(0, ceiling));
}
