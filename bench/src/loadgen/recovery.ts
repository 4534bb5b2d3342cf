/**
 * The recovery scenario's client side: every offset a subscriber received on its history topic,
 * and what happened to it around the drop (its resubscribe with `since`, the ack, the replay).
 * Raw frames only: the load generator speaks the wire protocol itself, no client SDK.
 */
import type { AckFrame, DeliveryPosition, SubscribeOptions } from './connection.js';
import { now } from './messages.js';

/** Every offset one subscriber received on its topic, to count lost and duplicated publications. */
export class OffsetLog {
  /** Receptions per offset (saturating at 255). */
  private counts = new Uint8Array(256);
  /** The first offset received (0: none yet): nothing before it is owed. */
  first = 0;
  /** The newest offset received, and its epoch: the position a resubscribe recovers from. */
  last = 0;
  epoch = '';
  /** Every offset from `first` to `contiguous` was received. */
  contiguous = 0;
  /** Deliveries without a position, before `first`, or of another epoch than the first: never owed. */
  unexpected = 0;

  record(position: DeliveryPosition): void {
    const { offset, epoch = '' } = position;
    if (offset === undefined || !Number.isInteger(offset) || offset < 1 || offset < this.first || (this.first > 0 && epoch !== this.epoch)) {
      this.unexpected++;
      return;
    }
    if (this.first === 0) {
      this.first = offset;
      this.contiguous = offset - 1;
      this.epoch = epoch;
    }
    if (offset >= this.counts.length) {
      const grown = new Uint8Array(Math.max(this.counts.length * 2, offset + 1));
      grown.set(this.counts);
      this.counts = grown;
    }
    if (this.counts[offset]! < 255) this.counts[offset]!++;
    if (offset > this.last) this.last = offset;
    while (this.contiguous + 1 < this.counts.length && this.counts[this.contiguous + 1]! > 0) this.contiguous++;
  }

  /** For a debug line: up to `most` offsets received more than once, and how often. */
  doubled(most: number): string[] {
    const out: string[] = [];
    for (let offset = this.first; offset < this.counts.length && out.length < most; offset++) {
      if (this.counts[offset]! > 1) out.push(`${offset}×${this.counts[offset]}`);
    }
    return out;
  }

  /**
   * Against the topic's last offset: `expected` offsets owed (first … final), `received` of them,
   * `lost` never received, `duplicates` receptions beyond the first of an offset plus every
   * unexpected delivery (offsets past `final` included).
   */
  tally(final: number): { expected: number; received: number; lost: number; duplicates: number } {
    if (this.first === 0) return { expected: 0, received: 0, lost: 0, duplicates: this.unexpected };
    let received = 0;
    let duplicates = this.unexpected;
    for (let offset = this.first; offset < this.counts.length; offset++) {
      const count = this.counts[offset]!;
      if (count === 0) continue;
      if (offset > final) duplicates += count;
      else {
        received++;
        duplicates += count - 1;
      }
    }
    const expected = Math.max(0, final - this.first + 1);
    return { expected, received, lost: expected - received, duplicates };
  }
}

/** Shared counters a client bumps once: [0] recovered (ack and marker), [1] caught up with the final offset. */
export const RECOVERED = 0;
export const CAUGHT_UP = 1;

/**
 * One subscriber of the recovery scenario across its connections. It has recovered once it has
 * its resubscribe's ack and every publication of its topic up to the marker: the topic's last
 * publish at the moment the ack arrived, so everything it missed while away (the replay) and
 * everything published while it resubscribed.
 */
export class RecoveringSubscriber {
  readonly log = new OffsetLog();
  /** Bumped at the drop: frames of an older connection are ignored (their socket is gone). */
  generation = 0;
  private dropAt = Number.NaN;
  /** The offset resubscribed from. */
  since = 0;
  /** Set when the ack arrives (see above). */
  marker = Number.POSITIVE_INFINITY;
  /** The ack's stream for the topic, for a debug line. */
  ackStream: AckFrame['streams'] extends Record<string, infer S> | undefined ? S | undefined : never;
  /** The topic's last offset once publishing ended. */
  private final = Number.POSITIVE_INFINITY;
  private ackId: string | undefined;
  ackMs = Number.NaN;
  recoveryMs = Number.NaN;
  /** The ack said `recovered: false`: why (or that it carried no stream for the topic). */
  notRecovered: string | undefined;
  /** marker − the position it resubscribed from: the publications it had to catch up on. */
  missed = 0;
  private caughtUp = false;

  /** `published()`: the topic's publishes so far (shared with the publisher's thread). */
  constructor(
    private readonly topic: string,
    private readonly counters: Int32Array,
    private readonly published: () => number,
  ) {}

  /** A delivery that came on connection `generation`; false when that connection was dropped. */
  deliver(generation: number, position: DeliveryPosition): boolean {
    if (generation !== this.generation) return false;
    this.log.record(position);
    this.check();
    return true;
  }

  /** The socket is being terminated: what the resubscribe on the next connection carries. */
  drop(dropAt: number): SubscribeOptions {
    this.generation++;
    this.dropAt = dropAt;
    this.since = this.log.last;
    this.ackId = `r${this.generation}`;
    return { id: this.ackId, since: { offset: this.log.last, epoch: this.log.epoch } };
  }

  ack(generation: number, ack: AckFrame): void {
    if (generation !== this.generation || ack.id !== this.ackId || !Number.isNaN(this.ackMs)) return;
    this.ackMs = now() - this.dropAt;
    this.marker = this.published();
    this.missed = Math.max(0, this.marker - this.since);
    const stream = ack.streams?.[this.topic];
    this.ackStream = stream;
    if (stream?.recovered !== true) this.notRecovered = stream === undefined ? 'no_stream' : (stream.reason ?? 'unknown');
    this.check();
  }

  setFinal(final: number): void {
    this.final = final;
    this.check();
  }

  get recovered(): boolean {
    return !Number.isNaN(this.recoveryMs);
  }

  private check(): void {
    if (!this.recovered && this.log.contiguous >= this.marker) {
      this.recoveryMs = now() - this.dropAt;
      Atomics.add(this.counters, RECOVERED, 1);
    }
    if (!this.caughtUp && this.log.contiguous >= this.final) {
      this.caughtUp = true;
      Atomics.add(this.counters, CAUGHT_UP, 1);
    }
  }
}
