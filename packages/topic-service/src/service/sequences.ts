/**
 * The last publish sequence the service applied per node process (`nodeId` + `epoch`).
 *
 * A node numbers its outgoing entries (publishes and commands) with a sequence that only grows
 * for the life of its process. A batch whose POST timed out at the node may still have been
 * handled here; the node then sends it again, and the entries numbered at or below the last one
 * applied are skipped instead of being relayed twice (issue 15.3). Kept by process, not by
 * registration, so a node that re-registers after its lease expired is still deduplicated.
 * Bounded: the oldest process's entry goes first beyond `maxEntries`.
 */
export class SequenceTable {
  private readonly last = new Map<string, number>();

  constructor(private readonly maxEntries = 10_000) {}

  /** How many of `count` entries numbered from `first` were applied already (a resend). */
  seen(nodeId: string, epoch: string, first: number, count: number): number {
    const last = this.last.get(key(nodeId, epoch)) ?? 0;
    return Math.max(0, Math.min(count, last - first + 1));
  }

  /** Entries up to `seq` are applied. */
  applied(nodeId: string, epoch: string, seq: number): void {
    const k = key(nodeId, epoch);
    const previous = this.last.get(k) ?? 0;
    this.last.delete(k);
    this.last.set(k, Math.max(previous, seq));
    if (this.last.size > this.maxEntries) {
      const oldest = this.last.keys().next();
      if (!oldest.done) this.last.delete(oldest.value);
    }
  }

  clear(): void {
    this.last.clear();
  }
}

function key(nodeId: string, epoch: string): string {
  return `${nodeId}\n${epoch}`;
}
