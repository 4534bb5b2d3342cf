/**
 * Inbound rate limit: a token bucket refilled at `ratePerSecond` with a burst of twice that.
 * While it is empty frames are dropped; the first drop of an episode is reported to the client
 * (one `rate_limited` error frame; later drops only when the frame carried an id, so the client
 * can fail that one publish) and a client that keeps going for another
 * second's worth of frames is closed with CloseCode.RateLimited.
 */
// Time is performance.now() (monotonic): a wall clock stepped back would stop the refill for as
// long as the step, and a client would be rate-limited for minutes through no fault of its own.
export type RateVerdict = 'ok' | 'warn' | 'drop' | 'close';

export class TokenBucket {
  private tokens: number;
  private last: number;
  private droppedInEpisode = 0;
  private readonly burst: number;

  constructor(private readonly ratePerSecond: number) {
    this.burst = Math.max(1, ratePerSecond * 2);
    this.tokens = this.burst;
    this.last = performance.now();
  }

  take(now = performance.now()): RateVerdict {
    if (this.ratePerSecond <= 0) return 'ok';
    const elapsed = now - this.last;
    if (elapsed > 0) {
      this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.ratePerSecond) / 1000);
      this.last = now;
    }
    if (this.tokens >= 1) {
      this.tokens -= 1;
      this.droppedInEpisode = 0;
      return 'ok';
    }
    this.droppedInEpisode++;
    if (this.droppedInEpisode === 1) return 'warn';
    return this.droppedInEpisode > Math.max(1, this.ratePerSecond) ? 'close' : 'drop';
  }
}
