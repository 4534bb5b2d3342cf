/**
 * The last sequence this node applied per origin (one sending node process), so an entry relayed
 * twice is delivered once: a batch resent after a timeout, or the replay after a service
 * restart. An origin's entries reach a receiver in sequence order (one sender per origin, FIFO
 * outboxes), so "at or below the last one" means "had it". Bounded: the oldest origin goes first.
 */
export class SeenSequences {
  private readonly last = new Map<string, number>();
  /** Entries skipped as copies. */
  duplicates = 0;

  constructor(private readonly maxOrigins = 10_000) {}

  /** True the first time an origin's `seq` (or a later one) arrives; false for a copy. */
  fresh(origin: string, seq: number): boolean {
    const last = this.last.get(origin);
    if (last !== undefined && seq <= last) {
      this.duplicates += 1;
      return false;
    }
    this.last.delete(origin);
    this.last.set(origin, seq);
    if (this.last.size > this.maxOrigins) {
      const oldest = this.last.keys().next();
      if (!oldest.done) this.last.delete(oldest.value);
    }
    return true;
  }
}
