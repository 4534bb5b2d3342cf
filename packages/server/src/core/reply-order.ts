/**
 * Keeps a connection's replies (acks and error frames) in the order its frames came. Most replies
 * are written at once; a publish's ack waits for the broker, so it reserves a slot, and any reply
 * made after it waits behind that slot until it is filled. Exists only while a slot is open.
 */
export class ReplyOrder {
  /**
   * `undefined`: reserved, not filled yet; `null`: filled with nothing to send; a function: work
   * that writes several frames in this place (a subscribe's history replay).
   */
  private slots: Array<string | (() => void) | null | undefined> = [];
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

  /** Queue a reply (or the work that writes it) that is ready now behind the reserved ones. */
  push(reply: string | (() => void)): void {
    this.slots.push(reply);
  }

  fill(ticket: number, text: string | null): void {
    const index = ticket - this.base;
    if (index < this.head || index >= this.slots.length) return;
    this.slots[index] = text;
    this.flush();
  }

  private flush(): void {
    while (this.head < this.slots.length) {
      const reply = this.slots[this.head];
      if (reply === undefined) return;
      this.head++;
      if (typeof reply === 'function') reply();
      else if (reply !== null) this.write(reply);
    }
    // Everything went out: start over so the array does not grow.
    this.base += this.slots.length;
    this.slots = [];
    this.head = 0;
  }
}
