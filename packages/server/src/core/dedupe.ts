/**
 * The idempotency window: a key seen within `windowMs` is a duplicate. Keys expire in insertion
 * order (the window is the same for all), so expiry is a sweep from the oldest end, and the map is
 * also capped so a flood of unique keys cannot grow it without bound. Expired keys also go on a
 * timer, so a node that falls idle after a burst returns their memory without waiting for the next
 * publish. Durations use the monotonic clock: a wall-clock step neither expires every key at once
 * nor keeps them for hours.
 */
export class DedupeWindow {
  private readonly expiries = new Map<string, number>();
  private sweepTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly windowMs: number,
    private readonly maxKeys = 100_000,
  ) {}

  /** True when the key was seen within the window. */
  has(key: string, now = performance.now()): boolean {
    this.sweep(now);
    return this.expiries.has(key);
  }

  /** Remember a key for one window. */
  remember(key: string, now = performance.now()): void {
    if (this.windowMs === 0) return;
    this.expiries.delete(key);
    this.expiries.set(key, now + this.windowMs);
    if (this.expiries.size > this.maxKeys) {
      const oldest = this.expiries.keys().next();
      if (!oldest.done) this.expiries.delete(oldest.value);
    }
    this.sweepTimer ??= this.scheduleSweep(this.windowMs);
  }

  /** Forget a key (its publish failed, so a retry must go through). */
  forget(key: string): void {
    this.expiries.delete(key);
  }

  get size(): number {
    return this.expiries.size;
  }

  /** Stop the sweep timer and forget every key. */
  close(): void {
    if (this.sweepTimer) clearTimeout(this.sweepTimer);
    this.sweepTimer = undefined;
    this.expiries.clear();
  }

  private scheduleSweep(delayMs: number): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.sweepTimer = undefined;
      const now = performance.now();
      this.sweep(now);
      // The next sweep when the (new) oldest key expires: one timer per node, never per key.
      const oldest = this.expiries.values().next();
      if (!oldest.done) this.sweepTimer = this.scheduleSweep(Math.max(1, oldest.value - now));
    }, delayMs);
    timer.unref();
    return timer;
  }

  private sweep(now: number): void {
    for (const [key, expiry] of this.expiries) {
      if (expiry > now) return;
      this.expiries.delete(key);
    }
  }
}
