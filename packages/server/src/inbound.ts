import { isPromiseLike } from './settle.js';

export interface InboundEvents<T> {
  /** Run one item; may return a promise, and the next item waits for it. */
  run(item: T): void | PromiseLike<void>;
  /** The queue reached its bound (the app's handlers are slower than the client). */
  full(): void;
  /** The queue went back under its bound. */
  relieved(): void;
  /** A step threw or rejected (steps catch their own errors; this is the last guard). */
  failed(error: unknown): void;
}

/** `running`: items are executing synchronously; `waiting`: an async item is in flight. */
type QueueState = 'idle' | 'running' | 'waiting';

/**
 * A connection's inbound work runs strictly one item after another, even when hooks are async:
 * this is what keeps one publisher's messages on one topic in order. Sync items run back to back
 * with no promise in between.
 */
export class SerialQueue<T> {
  private state: QueueState = 'idle';
  private items: T[] = [];
  private head = 0;
  private isFull = false;
  private readonly resume = (): void => this.pump();
  private readonly resumeAfterError = (error: unknown): void => {
    this.events.failed(error);
    this.pump();
  };

  constructor(
    private readonly limit: number,
    private readonly events: InboundEvents<T>,
  ) {}

  get length(): number {
    return this.items.length - this.head;
  }

  /** Items not started yet, oldest first. */
  pending(): T[] {
    return this.items.slice(this.head);
  }

  push(item: T): void {
    this.items.push(item);
    if (!this.isFull && this.length >= this.limit) {
      this.isFull = true;
      this.events.full();
    }
    if (this.state === 'idle') this.pump();
  }

  /** Drop the items not started yet (the one in flight finishes). */
  clear(): void {
    this.items = [];
    this.head = 0;
    this.isFull = false;
  }

  private pump(): void {
    this.state = 'running';
    while (this.head < this.items.length) {
      const item = this.items[this.head]!;
      this.head++;
      if (this.head > 1024) {
        this.items = this.items.slice(this.head);
        this.head = 0;
      }
      if (this.isFull && this.length < this.limit) {
        this.isFull = false;
        this.events.relieved();
      }
      let result: void | PromiseLike<void>;
      try {
        result = this.events.run(item);
      } catch (error) {
        this.events.failed(error);
        continue;
      }
      if (isPromiseLike<void>(result)) {
        this.state = 'waiting';
        result.then(this.resume, this.resumeAfterError);
        return;
      }
    }
    this.items = [];
    this.head = 0;
    this.state = 'idle';
  }
}
