/**
 * Full-jitter exponential backoff: a uniformly random delay in [0, min(maxMs, minMs · 2^attempt)).
 * Spreading retries over the whole window keeps a crowd of clients that lost the same server
 * from coming back in lockstep. Pure, so it is tested without timers.
 *
 * @param attempt 0 for the first retry after a drop.
 * @param random a source in [0, 1); `Math.random` in production.
 */
export function backoff(attempt: number, minMs: number, maxMs: number, random: () => number = Math.random): number {
  const step = attempt > 0 ? Math.floor(attempt) : 0; // NaN and negatives count as the first retry
  // 2^step overflows to Infinity past ~1023; Math.min caps it either way.
  const ceiling = Math.min(maxMs, minMs * 2 ** step);
  return Math.floor(random() * Math.max(0, ceiling));
}

/**
 * The wait before reconnecting after a server's `retry-after=<ms>` hint. A hint may lengthen the
 * wait but never remove backoff (a server that closes every connection with `retry-after=0`
 * would otherwise get a tight reconnect loop): the delay is at least `minMs` plus the backoff's
 * jitter, which grows with `attempt`, and at most `maxMs` (the app's longest wait beats the
 * server's, so a hostile hint cannot park the client for days).
 */
export function retryAfterDelay(hintMs: number, attempt: number, minMs: number, maxMs: number, random: () => number = Math.random): number {
  const floor = minMs + backoff(attempt, minMs, maxMs, random);
  // A NaN hint loses this comparison too.
  return Math.min(hintMs > floor ? hintMs : floor, Math.max(minMs, maxMs));
}
