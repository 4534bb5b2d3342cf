import type { QueuedEntry } from './outgoing.js';

/**
 * The entries this node's service accepted most recently, kept for `windowMs` after acceptance.
 *
 * The service acknowledges a publish when it queued it for the other nodes, not when they polled
 * it. If the service then dies, what it had queued and not yet handed out is gone. So the broker
 * keeps what was accepted in the last `windowMs` and, when it registers with a *new* service
 * instance (a restart), sends it again ahead of anything buffered. Receivers drop the copies they
 * had already (by origin and sequence), so only the lost ones are delivered. The window is pruned
 * only when something new is accepted: during an outage it keeps what preceded the outage.
 */
export class ReplayWindow {
  private entries: Array<{ entry: QueuedEntry; at: number }> = [];
  private head = 0;

  /** At most `maxEntries` are kept (the oldest go first), so a burst cannot grow it without bound. */
  constructor(
    private readonly windowMs: number,
    private readonly maxEntries: number,
  ) {}

  get size(): number {
    return this.entries.length - this.head;
  }

  /**
   * The service accepted these entries at `now` (monotonic ms). History publishes are not kept:
   * a restarted service starts every stream afresh, in a new epoch that tells subscribers so, and
   * a replayed one would reappear in that epoch under another offset (a duplicate nobody could
   * recognise). Those accepted just before the restart are lost with the old streams, announced.
   */
  accepted(entries: readonly QueuedEntry[], now: number): void {
    if (this.windowMs <= 0) return;
    for (const entry of entries) if (entry.kind !== 'message' || entry.message.history === undefined) this.entries.push({ entry, at: now });
    while (this.head < this.entries.length && (this.entries[this.head]!.at < now - this.windowMs || this.size > this.maxEntries)) this.head += 1;
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }

  /** Everything kept, oldest first; the window is empty afterwards. */
  take(): QueuedEntry[] {
    const out = this.entries.slice(this.head).map((e) => e.entry);
    this.entries = [];
    this.head = 0;
    return out;
  }
}
