/**
 * Keys that count as seen until their time-to-live runs out: the idempotency window of a node
 * (`DedupeWindow`) and the topic service's cluster-wide key store are both this.
 *
 * A Map in insertion order, swept from the oldest end, and capped so a flood of unique keys evicts
 * the oldest instead of growing without bound. Keys may carry different ttls, so an entry can
 * outlive a younger one with a shorter ttl; the sweep then stops early, but lookups check each
 * entry's own expiry and the cap still holds. Times are whatever clock the caller passes (the
 * callers use performance.now(): a wall-clock step must not expire every key at once).
 */
export class ExpiringKeys {
  private readonly expiries = new Map<string, number>();
  private evictedTotal = 0;

  constructor(private readonly maxKeys: number) {}

  get size(): number {
    return this.expiries.size;
  }

  /** Keys dropped by the cap before their ttl ran out (each one may let a duplicate through). */
  get evicted(): number {
    return this.evictedTotal;
  }

  /** When the oldest key expires, or undefined when there is none. */
  get oldestExpiry(): number | undefined {
    const oldest = this.expiries.values().next();
    return oldest.done ? undefined : oldest.value;
  }

  /** Seen within its ttl? */
  has(key: string, now: number): boolean {
    const expiry = this.expiries.get(key);
    return expiry !== undefined && expiry > now;
  }

  /** Record a key for `ttlMs` from now (a repeat restarts its window). */
  remember(key: string, ttlMs: number, now: number): void {
    this.expiries.delete(key);
    this.expiries.set(key, now + ttlMs);
    if (this.expiries.size > this.maxKeys) {
      const oldest = this.expiries.keys().next();
      if (!oldest.done) {
        this.expiries.delete(oldest.value);
        this.evictedTotal += 1;
      }
    }
  }

  /** True, and the key is recorded, when it was not seen within its window; false otherwise. */
  claim(key: string, ttlMs: number, now: number): boolean {
    if (this.has(key, now)) return false;
    this.remember(key, ttlMs, now);
    return true;
  }

  forget(key: string): void {
    this.expiries.delete(key);
  }

  /** Drop expired keys from the oldest end. */
  sweep(now: number): void {
    for (const [key, expiry] of this.expiries) {
      if (expiry > now) return;
      this.expiries.delete(key);
    }
  }

  clear(): void {
    this.expiries.clear();
  }
}
