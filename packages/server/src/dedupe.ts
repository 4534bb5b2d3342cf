/**
 * The idempotency window: a key seen within `windowMs` is a duplicate. Keys expire in insertion
 * order (the window is the same for all), so expiry is a sweep from the oldest end, and the map is
 * also capped so a flood of unique keys cannot grow it without bound.
 */
export class DedupeWindow {
  private readonly expiries = new Map<string, number>();

  constructor(
    private readonly windowMs: number,
    private readonly maxKeys = 100_000,
  ) {}

  /** True when the key was seen within the window. */
  has(key: string, now = Date.now()): boolean {
    this.sweep(now);
    return this.expiries.has(key);
  }

  /** Remember a key for one window. */
  remember(key: string, now = Date.now()): void {
    if (this.windowMs === 0) return;
    this.expiries.delete(key);
    this.expiries.set(key, now + this.windowMs);
    if (this.expiries.size > this.maxKeys) {
      const oldest = this.expiries.keys().next();
      if (!oldest.done) this.expiries.delete(oldest.value);
    }
  }

  /** Forget a key (its publish failed, so a retry must go through). */
  forget(key: string): void {
    this.expiries.delete(key);
  }

  get size(): number {
    return this.expiries.size;
  }

  private sweep(now: number): void {
    for (const [key, expiry] of this.expiries) {
      if (expiry > now) return;
      this.expiries.delete(key);
    }
  }
}
