import { Fifo } from '@firetower/protocol';
import { acceptsSharedDeflate, corkForTurn, netSocketOf, rawWriterOf, SharedFrame, whenDrained, type Corkable } from './writer.js';
import type { SlowConsumerPolicy } from '../types.js';

/** The part of a ws WebSocket the outbox writes to. */
export interface WritableSocket {
  send(data: Buffer | string, options: { binary: boolean; compress: boolean }): void;
  readonly bufferedAmount: number;
  readonly readyState: number;
}

/** A reply for one connection (string), or a fan-out frame shared by many (SharedFrame). */
export type Frame = SharedFrame | string;

const OPEN = 1;
/** Drops go on being counted between reports; the owner hears of them at most this often. */
export const DROP_REPORT_INTERVAL_MS = 1_000;

/** What the outbox reports to its owner (the Tower itself, so a connection costs no extra closures). */
export interface OutboxEvents {
  /**
   * The policy dropped frames: `droppedFrames` since the last report, `totalDropped` in this
   * backlog. Reported on the first drop, then at most once per DROP_REPORT_INTERVAL_MS while drops
   * go on, and once more for the rest when the backlog ends or the outbox closes: every dropped
   * frame is counted, the owner's hook runs at a bounded rate.
   */
  outboxDropped(droppedFrames: number, queuedBytes: number, totalDropped: number): void;
  /** The `close` policy acted; the owner must close with CloseCode.SlowConsumer. */
  outboxOverflow(queuedBytes: number): void;
}

/** `direct`: frames go straight to the socket. `backlogged`: the socket is full, frames wait here. */
type OutboxState = 'direct' | 'backlogged' | 'closed';

// compress: false on every ws.send: ws must never compress on its own (per-socket zlib contexts,
// and its sender would queue while deflating, which pre-encoded frames must never overtake).
const TEXT = Object.freeze({ binary: false, compress: false });

function sizeOf(frame: Frame): number {
  return typeof frame === 'string' ? Buffer.byteLength(frame) : frame.payload.length;
}

/** How every outbox of a node bounds its backlog; one shared object, not three fields per connection. */
export interface OutboxLimits {
  readonly maxQueueBytes: number;
  /** Socket buffer level above which frames queue here instead (half of maxQueueBytes). */
  readonly highWater: number;
  readonly policy: SlowConsumerPolicy;
  /** Shared permessage-deflate: deliveries of at least this many bytes go compressed; undefined when off. */
  readonly compressThreshold: number | undefined;
}

export function outboxLimits(maxQueueBytes: number, policy: SlowConsumerPolicy, compressThreshold?: number): OutboxLimits {
  return Object.freeze({ maxQueueBytes, highWater: Math.max(1, Math.floor(maxQueueBytes / 2)), policy, compressThreshold });
}

/** The frames waiting while a socket is backed up; exists only during a backlog. */
class Backlog {
  private readonly frames = new Fifo<Frame>();
  queuedBytes = 0;
  /** Drops not reported yet, and all drops of this backlog. */
  unreportedDrops = 0;
  totalDrops = 0;
  /** performance.now() of the last report (monotonic: a wall-clock step cannot stall reports). */
  lastReportAt = Number.NEGATIVE_INFINITY;

  get isEmpty(): boolean {
    return this.frames.length === 0;
  }

  push(frame: Frame, size: number): void {
    this.frames.push(frame);
    this.queuedBytes += size;
  }

  shift(): Frame {
    const frame = this.frames.shift()!;
    this.queuedBytes -= sizeOf(frame);
    return frame;
  }
}

/**
 * One connection's outgoing path. While the socket keeps up, a frame costs one `ws.send` (the same
 * shared Buffer for every subscriber). When ws reports more than half of `maxQueueBytes` waiting,
 * frames queue here instead, bounded so that socket buffer + queue stay under `maxQueueBytes`, and
 * drain on the socket's 'drain'. One slow socket therefore never holds up the fan-out loop. An
 * outbox that never backs up holds no queue at all: idle connections are the common case.
 */
export class Outbox implements Corkable {
  readonly net: ReturnType<typeof netSocketOf>;
  corkedTurn = 0;
  /** Where pre-encoded shared frames go; undefined when ws internals do not allow it. */
  private readonly raw: ReturnType<typeof rawWriterOf>;
  /** Shared deliveries go compressed: the node has compression on and this socket negotiated it. */
  private readonly sharedDeflate: boolean;
  private state: OutboxState = 'direct';
  private backlog: Backlog | undefined;
  // Made when the socket first backs up: most connections never need it.
  private onDrain: (() => void) | undefined;

  constructor(
    private readonly ws: WritableSocket,
    private readonly limits: OutboxLimits,
    private readonly events: OutboxEvents,
  ) {
    this.net = netSocketOf(ws);
    this.raw = rawWriterOf(ws);
    this.sharedDeflate = limits.compressThreshold !== undefined && acceptsSharedDeflate(ws);
  }

  /** Queue or write one frame. False when it was dropped or the outbox is closed. */
  write(frame: Frame): boolean {
    if (this.state === 'direct') {
      if (this.ws.bufferedAmount < this.limits.highWater) {
        this.send(frame);
        return true;
      }
      this.state = 'backlogged';
      this.backlog = new Backlog();
      whenDrained(this, (this.onDrain ??= () => this.drain()));
    }
    if (this.state === 'closed') return false;
    return this.enqueue(this.backlog!, frame);
  }

  private send(frame: Frame): void {
    corkForTurn(this);
    if (typeof frame === 'string') this.ws.send(frame, TEXT);
    else if (this.raw !== undefined && this.ws.readyState === OPEN)
      this.raw.write(this.sharedDeflate ? frame.deflatedWire(this.limits.compressThreshold!) : frame.wire);
    else this.ws.send(frame.payload, TEXT);
  }

  /** Bytes waiting in this queue (not counting the socket's own buffer). */
  get pendingBytes(): number {
    return this.backlog?.queuedBytes ?? 0;
  }

  /** Drop everything; later writes are refused. Drops not reported yet are reported now. */
  close(): void {
    const backlog = this.backlog;
    this.state = 'closed';
    this.backlog = undefined;
    if (backlog !== undefined && backlog.unreportedDrops > 0) this.report(backlog);
  }

  private enqueue(backlog: Backlog, frame: Frame): boolean {
    const size = sizeOf(frame);
    const room = this.limits.maxQueueBytes - this.ws.bufferedAmount;
    if (backlog.queuedBytes + size <= room) {
      backlog.push(frame, size);
      return true;
    }
    switch (this.limits.policy) {
      case 'close':
        this.events.outboxOverflow(backlog.queuedBytes + size);
        return false;
      case 'drop-newest':
        this.recordDrops(backlog, 1);
        return false;
      case 'drop-oldest': {
        let dropped = 0;
        while (!backlog.isEmpty && backlog.queuedBytes + size > room) {
          backlog.shift();
          dropped++;
        }
        const fits = backlog.queuedBytes + size <= room;
        if (fits) backlog.push(frame, size);
        this.recordDrops(backlog, fits ? dropped : dropped + 1);
        return fits;
      }
    }
  }

  private recordDrops(backlog: Backlog, count: number): void {
    if (count === 0) return;
    backlog.unreportedDrops += count;
    backlog.totalDrops += count;
    if (performance.now() - backlog.lastReportAt >= DROP_REPORT_INTERVAL_MS) this.report(backlog);
  }

  private report(backlog: Backlog): void {
    const dropped = backlog.unreportedDrops;
    backlog.unreportedDrops = 0;
    backlog.lastReportAt = performance.now();
    this.events.outboxDropped(dropped, backlog.queuedBytes, backlog.totalDrops);
  }

  private drain(): void {
    const backlog = this.backlog;
    if (this.state !== 'backlogged' || backlog === undefined) return;
    while (!backlog.isEmpty && this.ws.bufferedAmount < this.limits.highWater) this.send(backlog.shift());
    if (!backlog.isEmpty) {
      whenDrained(this, (this.onDrain ??= () => this.drain()));
      return;
    }
    this.backlog = undefined;
    this.state = 'direct';
    if (backlog.unreportedDrops > 0) this.report(backlog);
  }
}
