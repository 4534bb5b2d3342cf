import { corkForTurn, netSocketOf, rawWriterOf, SharedFrame, whenDrained, type Corkable } from './writer.js';
import type { SlowConsumerPolicy } from './types.js';

/** The part of a ws WebSocket the outbox writes to. */
export interface WritableSocket {
  send(data: Buffer | string, options: { binary: boolean }): void;
  readonly bufferedAmount: number;
  readonly readyState: number;
}

/** A reply for one connection (string), or a fan-out frame shared by many (SharedFrame). */
export type Frame = SharedFrame | string;

const OPEN = 1;

/** What the outbox reports to its owner (the Tower itself, so a connection costs no extra closures). */
export interface OutboxEvents {
  /** The policy dropped frames (reported on the first drop of a backlog, then once when it ends). */
  outboxDropped(droppedFrames: number, queuedBytes: number): void;
  /** The `close` policy acted; the owner must close with CloseCode.SlowConsumer. */
  outboxOverflow(queuedBytes: number): void;
}

/** `direct`: frames go straight to the socket. `backlogged`: the socket is full, frames wait here. */
type OutboxState = 'direct' | 'backlogged' | 'closed';

const TEXT = Object.freeze({ binary: false });

/** The one empty queue every outbox without a backlog points at; frozen, so a push onto it would throw. */
const NO_FRAMES: readonly Frame[] = Object.freeze([]);
function noFrames(): Frame[] {
  return NO_FRAMES as Frame[];
}

function sizeOf(frame: Frame): number {
  return typeof frame === 'string' ? Buffer.byteLength(frame) : frame.payload.length;
}

/**
 * One connection's outgoing path. While the socket keeps up, a frame costs one `ws.send` (the same
 * shared Buffer for every subscriber). When ws reports more than half of `maxQueueBytes` waiting,
 * frames queue here instead, bounded so that socket buffer + queue stay under `maxQueueBytes`, and
 * drain on the socket's 'drain'. One slow socket therefore never holds up the fan-out loop.
 */
export class Outbox implements Corkable {
  readonly net: ReturnType<typeof netSocketOf>;
  corkedTurn = 0;
  /** Where pre-encoded shared frames go; undefined when ws internals do not allow it. */
  private readonly raw: ReturnType<typeof rawWriterOf>;
  private state: OutboxState = 'direct';
  // Shared while empty: an idle connection holds no array of its own.
  private queue: Frame[] = noFrames();
  private head = 0;
  private queuedBytes = 0;
  private unreportedDrops = 0;
  private droppedThisBacklog = false;
  private readonly highWater: number;
  // Made when the socket first backs up: most connections never need it.
  private onDrain: (() => void) | undefined;

  constructor(
    private readonly ws: WritableSocket,
    private readonly maxQueueBytes: number,
    private readonly policy: SlowConsumerPolicy,
    private readonly events: OutboxEvents,
  ) {
    this.net = netSocketOf(ws);
    this.raw = rawWriterOf(ws);
    this.highWater = Math.max(1, Math.floor(maxQueueBytes / 2));
  }

  /** Queue or write one frame. False when it was dropped or the outbox is closed. */
  write(frame: Frame): boolean {
    if (this.state === 'direct') {
      if (this.ws.bufferedAmount < this.highWater) {
        this.send(frame);
        return true;
      }
      this.state = 'backlogged';
      whenDrained(this, (this.onDrain ??= () => this.drain()));
    }
    if (this.state === 'closed') return false;
    return this.enqueue(frame);
  }

  private send(frame: Frame): void {
    corkForTurn(this);
    if (typeof frame === 'string') this.ws.send(frame, TEXT);
    else if (this.raw !== undefined && this.ws.readyState === OPEN) this.raw.write(frame.wire);
    else this.ws.send(frame.payload, TEXT);
  }

  /** Bytes waiting in this queue (not counting the socket's own buffer). */
  get pendingBytes(): number {
    return this.queuedBytes;
  }

  /** Drop everything; later writes are refused. */
  close(): void {
    this.state = 'closed';
    this.queue = noFrames();
    this.head = 0;
    this.queuedBytes = 0;
  }

  private enqueue(frame: Frame): boolean {
    const size = sizeOf(frame);
    const room = this.maxQueueBytes - this.ws.bufferedAmount;
    if (this.queuedBytes + size <= room) {
      this.push(frame, size);
      return true;
    }
    switch (this.policy) {
      case 'close':
        this.events.outboxOverflow(this.queuedBytes + size);
        return false;
      case 'drop-newest':
        this.recordDrops(1);
        return false;
      case 'drop-oldest': {
        let dropped = 0;
        while (this.head < this.queue.length && this.queuedBytes + size > room) {
          this.queuedBytes -= sizeOf(this.shift());
          dropped++;
        }
        const fits = this.queuedBytes + size <= room;
        if (fits) this.push(frame, size);
        this.recordDrops(fits ? dropped : dropped + 1);
        return fits;
      }
    }
  }

  private push(frame: Frame, size: number): void {
    if (this.queue === NO_FRAMES) this.queue = [frame];
    else this.queue.push(frame);
    this.queuedBytes += size;
  }

  private shift(): Frame {
    const frame = this.queue[this.head]!;
    this.queue[this.head] = '';
    this.head++;
    // Compact now and then so the array does not grow without bound under a long backlog.
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return frame;
  }

  private recordDrops(count: number): void {
    if (count === 0) return;
    if (!this.droppedThisBacklog) {
      this.droppedThisBacklog = true;
      this.events.outboxDropped(count, this.queuedBytes);
    } else {
      this.unreportedDrops += count;
    }
  }

  private drain(): void {
    if (this.state !== 'backlogged') return;
    while (this.head < this.queue.length && this.ws.bufferedAmount < this.highWater) {
      const frame = this.shift();
      this.queuedBytes -= sizeOf(frame);
      this.send(frame);
    }
    if (this.head < this.queue.length) {
      whenDrained(this, (this.onDrain ??= () => this.drain()));
      return;
    }
    this.queue = noFrames();
    this.head = 0;
    this.queuedBytes = 0;
    this.state = 'direct';
    this.droppedThisBacklog = false;
    if (this.unreportedDrops > 0) {
      const count = this.unreportedDrops;
      this.unreportedDrops = 0;
      this.events.outboxDropped(count, 0);
    }
  }
}
