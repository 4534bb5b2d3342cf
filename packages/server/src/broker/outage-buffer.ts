/**
 * The bounded FIFO that holds a broker's outgoing entries while its link is down, in call order.
 * It refuses (drop-newest) rather than evicting: the caller learns at once, through a rejected
 * `publish()`, that its message went nowhere, and older entries keep their order.
 */
export class OutageBuffer<T> {
  private entries: T[] = [];
  private bytes = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly maxBytes: number,
  ) {}

  get size(): number {
    return this.entries.length;
  }

  /** False when the entry does not fit (`size` bytes more would pass `maxBytes`). */
  offer(entry: T, size = 0): boolean {
    if (this.entries.length >= this.maxEntries || this.bytes + size > this.maxBytes) return false;
    this.entries.push(entry);
    this.bytes += size;
    return true;
  }

  /** Take everything, oldest first, leaving the buffer empty. */
  drain(): T[] {
    const taken = this.entries;
    this.entries = [];
    this.bytes = 0;
    return taken;
  }
}
