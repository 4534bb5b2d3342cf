import { backoff } from '@firetower/protocol';

export { backoff };

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
