import { Fifo } from '@firetower/protocol';
import { isPromiseLike } from './settle.js';

/** Implemented by the owner (the Tower itself, so a connection costs no extra closures). */
export interface InboundEvents<T> {
  /** Run one item; may return a promise, and the next item waits for it. */
  runInbound(item: T): void | PromiseLike<void>;
  /** The queue reached its bound (the app's handlers are slower than the client). */
  inboundFull(): void;
  /** The queue went back under its bound. */
  inboundRelieved(): void;
  /** A step threw or rejected (steps catch their own errors; this is the last guard). */
  inboundFailed(error: unknown): void;
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
  // Made for a burst of work and dropped when it is done: an idle connection holds no queue.
  private items: Fifo<T> | undefined;
  private isFull = false;
  // Made on the first async step only: most connections never need them.
  private resume: (() => void) | undefined;
  private resumeAfterError: ((error: unknown) => void) | undefined;

  constructor(
    private readonly limit: number,
    private readonly events: InboundEvents<T>,
  ) {}

  get length(): number {
    return this.items?.length ?? 0;
  }

  /** Items not started yet, oldest first. */
  pending(): T[] {
    return this.items?.toArray() ?? [];
  }

  push(item: T): void {
    (this.items ??= new Fifo<T>()).push(item);
    if (!this.isFull && this.length >= this.limit) {
      this.isFull = true;
      this.events.inboundFull();
    }
    if (this.state === 'idle') this.pump();
  }

  /** Drop the items not started yet (the one in flight finishes). */
  clear(): void {
    this.items = undefined;
    this.isFull = false;
  }

  private pump(): void {
    this.state = 'running';
    // Read the field each turn: a step may clear() the queue (the connection closed).
    while (this.items !== undefined && this.items.length > 0) {
      const item = this.items.shift()!;
      if (this.isFull && this.length < this.limit) {
        this.isFull = false;
        this.events.inboundRelieved();
      }
      let result: void | PromiseLike<void>;
      try {
        result = this.events.runInbound(item);
      } catch (error) {
        this.events.inboundFailed(error);
        continue;
      }
      if (isPromiseLike<void>(result)) {
        this.state = 'waiting';
        this.resume ??= () => this.pump();
        this.resumeAfterError ??= (error: unknown) => {
          this.events.inboundFailed(error);
          this.pump();
        };
        result.then(this.resume, this.resumeAfterError);
        return;
      }
    }
    this.items = undefined;
    this.state = 'idle';
  }
}
