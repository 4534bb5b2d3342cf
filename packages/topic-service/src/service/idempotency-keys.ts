import { ExpiringKeys } from '@firetower/protocol';
import type { WirePublish } from '../wire.js';
import type { KeyStats } from './types.js';

/**
 * The service's idempotency keys: the ones publishes carried and the ones nodes claimed, each kept
 * for its ttl (clamped to `maxKeyTtlMs`), with the counters `keyStats()` reports. Apart from the
 * core so the key bookkeeping reads as one piece.
 */
export class IdempotencyKeys {
  private readonly keys: ExpiringKeys;
  private readonly counters = { claimRequests: 0, fresh: 0, taken: 0, published: 0 };

  constructor(
    maxKeys: number,
    private readonly maxKeyTtlMs: number,
  ) {
    this.keys = new ExpiringKeys(maxKeys);
  }

  /** Record the keys of published messages for `ttlMs` (so a claim on any node sees them). */
  published(messages: readonly WirePublish[], ttlMs: number, now: number): void {
    const ttl = this.ttl(ttlMs);
    for (const message of messages) {
      if (message.key === undefined) continue;
      this.keys.remember(message.key, ttl, now);
      this.counters.published += 1;
    }
  }

  /** Claim keys, in order: `fresh[i]` is true, and `keys[i]` is recorded for `ttlMs`, when nothing took it within its window. */
  claim(keys: readonly string[], ttlMs: number, now: number): boolean[] {
    const ttl = this.ttl(ttlMs);
    this.keys.sweep(now);
    const fresh = keys.map((key) => this.keys.claim(key, ttl, now));
    this.counters.claimRequests += 1;
    for (const f of fresh) this.counters[f ? 'fresh' : 'taken'] += 1;
    return fresh;
  }

  stats(): KeyStats {
    return { keys: this.keys.size, evicted: this.keys.evicted, ...this.counters };
  }

  sweep(now: number): void {
    this.keys.sweep(now);
  }

  clear(): void {
    this.keys.clear();
  }

  private ttl(ttlMs: number): number {
    return Math.max(1, Math.min(ttlMs, this.maxKeyTtlMs));
  }
}
