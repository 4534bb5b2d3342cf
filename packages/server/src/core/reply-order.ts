/**
 * Keeps a connection's replies (acks and error frames) in the order its frames came. Most replies
 * are written at once; a publish's ack waits for the broker, so it reserves a slot, and any reply
 * made after it waits behind that slot until it is filled. Exists only while a slot is open.
 */
export class ReplyOrder {
  /** `undefined`: reserved, not filled yet; `null`: filled with nothing to send. */
  private slots: Array<string | null | undefined> = [];
  private head = 0;
  /** Absolute number of the slot at `head`. */
  private base = 0;

  constructor(private readonly write: (text: string) => void) {}

  /** True when nothing waits: a reply may be written at once. */
  get idle(): boolean {
    return this.head === this.slots.length;
  }

  /** Reserve the next place in line; fill it with `fill(ticket, …)`. */
  reserve(): number {
    this.slots.push(undefined);
    return this.base + this.slots.length - 1;
  }

  /** Queue a reply that is ready now behind the reserved ones. */
  push(text: string): void {
    this.slots.push(text);
  }

  fill(ticket: number, text: string | null): void {
    const index = ticket - this.base;
    if (index < this.head || index >= this.slots.length) return;
    this.slots[index] = text;
    this.flush();
  }

  private flush(): void {
    while (this.head < this.slots.length) {
      const text = this.slots[this.head];
      if (text === undefined) return;
      this.head++;
      if (text !== null) this.write(text);
    }
    // Everything went out: start over so the array does not grow.
    this.base += this.slots.length;
    this.slots = [];
    this.head = 0;
  }
}
