/**
 * The bounded buffer that holds outgoing Redis publishes while the link is down, in call
 * order. It refuses (drop-newest) rather than evicting: a caller learns at once, through a
 * rejected `publish()`, that its message went nowhere, and older buffered messages keep their
 * order.
 */
export interface OutboxEntry {
  channel: string;
  payload: string;
  /**
   * The Redis key recording the publish's idempotency key, SET just before the PUBLISH when the
   * entry is flushed (so the key is visible wherever the message is).
   */
  idempotencyKey?: string;
}

export class Outbox {
  private entries: OutboxEntry[] = [];
  private bytes = 0;
  private refused = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly maxBytes: number,
  ) {}

  get size(): number {
    return this.entries.length;
  }

  /** Publishes refused because the buffer was full, since start. */
  get refusedCount(): number {
    return this.refused;
  }

  /** False (and counted as refused) when the entry does not fit. */
  offer(entry: OutboxEntry): boolean {
    const size = entry.payload.length + (entry.idempotencyKey?.length ?? 0);
    if (this.entries.length >= this.maxEntries || this.bytes + size > this.maxBytes) {
      this.refused++;
      return false;
    }
    this.entries.push(entry);
    this.bytes += size;
    return true;
  }

  /** Take everything, oldest first, leaving the buffer empty. */
  drain(): OutboxEntry[] {
    const taken = this.entries;
    this.entries = [];
    this.bytes = 0;
    return taken;
  }
}
