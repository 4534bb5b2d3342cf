import { Fifo } from '@firetower/protocol';

/**
 * One node's queue of pre-serialised entries, numbered by a sequence that only grows.
 *
 * Cursor acknowledgement: an entry leaves only when the node's next poll acknowledges its
 * sequence number, so a poll response lost on the way is simply sent again.
 *
 * Overflow policy: drop-oldest. When `maxEntries` or `maxBytes` would be exceeded the oldest
 * entries are discarded (sequence numbers keep growing, so the node sees the gap) and counted
 * in `dropped`; the next poll reports them. A slow node thus loses old traffic, never new.
 */
export class Outbox {
  private readonly entries = new Fifo<string>();
  /** Sequence number of the first entry. */
  private firstSeq = 1;
  private bytes = 0;
  /** Dropped since the last poll read it. */
  private droppedSincePoll = 0;
  /** Dropped since the node registered. */
  droppedTotal = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly maxBytes: number,
  ) {}

  get size(): number {
    return this.entries.length;
  }

  /** The sequence number the next entry gets. */
  get nextSeq(): number {
    return this.firstSeq + this.size;
  }

  push(json: string): void {
    this.entries.push(json);
    this.bytes += json.length;
    while (this.size > 1 && (this.size > this.maxEntries || this.bytes > this.maxBytes)) {
      this.dropFirst();
      this.droppedSincePoll += 1;
      this.droppedTotal += 1;
    }
  }

  /** Drop every entry up to and including `cursor`. A cursor beyond the end is clamped. */
  ack(cursor: number): void {
    const upTo = Math.min(cursor, this.nextSeq - 1);
    while (this.size > 0 && this.firstSeq <= upTo) this.dropFirst();
  }

  /** Entries after the acknowledged ones, at most `maxEntries` / about `maxBytes` of them. */
  peek(maxEntries: number, maxBytes: number): { from: number; cursor: number; items: string[] } {
    const items: string[] = [];
    let bytes = 0;
    for (let i = 0; i < this.entries.length && items.length < maxEntries; i++) {
      const entry = this.entries.at(i)!;
      if (items.length > 0 && bytes + entry.length > maxBytes) break;
      items.push(entry);
      bytes += entry.length;
    }
    return { from: this.firstSeq, cursor: this.firstSeq + items.length - 1, items };
  }

  /** Read and reset the dropped-since-last-poll counter. */
  takeDropped(): number {
    const dropped = this.droppedSincePoll;
    this.droppedSincePoll = 0;
    return dropped;
  }

  private dropFirst(): void {
    this.bytes -= this.entries.shift()!.length;
    this.firstSeq += 1;
  }
}
