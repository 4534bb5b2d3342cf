/**
 * A first-in first-out queue on an array with a head index: `shift` is O(1) (no `Array#shift`
 * copying), and the array is compacted now and then so it never grows without bound under a long
 * backlog. The one copy behind the server's inbound queue and outbox backlog and the topic
 * service's outboxes. Bounds (bytes, entries) are the owner's business.
 */
export class Fifo<T> {
  private items: Array<T | undefined> = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  /** The item `index` places from the front, or undefined. */
  at(index: number): T | undefined {
    return index >= 0 ? this.items[this.head + index] : undefined;
  }

  /** Take the front item (its slot is cleared, so the queue keeps no reference to it). */
  shift(): T | undefined {
    if (this.head === this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head++;
    this.compact();
    return item;
  }

  /** Remove the `count` front items. */
  drop(count: number): void {
    const end = Math.min(this.items.length, this.head + count);
    for (let i = this.head; i < end; i++) this.items[i] = undefined;
    this.head = end;
    this.compact();
  }

  /** Put items back at the front, in their order (a replay). */
  prepend(items: readonly T[]): void {
    if (items.length === 0) return;
    this.items = [...items, ...this.items.slice(this.head)];
    this.head = 0;
  }

  /** Position of `item` from the front, or -1. */
  indexOf(item: T): number {
    const at = this.items.indexOf(item, this.head);
    return at < 0 ? -1 : at - this.head;
  }

  /** Remove `count` items starting `index` places from the front. */
  remove(index: number, count: number): void {
    this.items.splice(this.head + index, count);
  }

  /** The items from the front, oldest first (a copy). */
  toArray(): T[] {
    return this.items.slice(this.head) as T[];
  }

  clear(): void {
    this.items = [];
    this.head = 0;
  }

  private compact(): void {
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
