import { ExpiringKeys } from '@firetower/protocol';

/**
 * The idempotency window: a key seen within `windowMs` is a duplicate. One window for every key,
 * so expiry is a sweep from the oldest end (ExpiringKeys), capped against a flood of unique keys.
 * Expired keys also go on a timer, so a node that falls idle after a burst returns their memory
 * without waiting for the next publish. Durations use the monotonic clock: a wall-clock step
 * neither expires every key at once nor keeps them for hours.
 */
export class DedupeWindow {
  private readonly keys: ExpiringKeys;
  private sweepTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly windowMs: number,
    maxKeys = 100_000,
  ) {
    this.keys = new ExpiringKeys(maxKeys);
  }

  /** True when the key was seen within the window. */
  has(key: string, now = performance.now()): boolean {
    this.keys.sweep(now);
    return this.keys.has(key, now);
  }

  /** Remember a key for one window. */
  remember(key: string, now = performance.now()): void {
    if (this.windowMs === 0) return;
    this.keys.remember(key, this.windowMs, now);
    this.sweepTimer ??= this.scheduleSweep(this.windowMs);
  }

  /** Forget a key (its publish failed, so a retry must go through). */
  forget(key: string): void {
    this.keys.forget(key);
  }

  get size(): number {
    return this.keys.size;
  }

  /** Stop the sweep timer and forget every key. */
  close(): void {
    if (this.sweepTimer) clearTimeout(this.sweepTimer);
    this.sweepTimer = undefined;
    this.keys.clear();
  }

  private scheduleSweep(delayMs: number): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.sweepTimer = undefined;
      const now = performance.now();
      this.keys.sweep(now);
      // The next sweep when the (new) oldest key expires: one timer per node, never per key.
      const oldest = this.keys.oldestExpiry;
      if (oldest !== undefined) this.sweepTimer = this.scheduleSweep(Math.max(1, oldest - now));
    }, delayMs);
    timer.unref();
    return timer;
  }
}
