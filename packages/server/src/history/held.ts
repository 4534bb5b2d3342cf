/**
 * Live deliveries of a connection's topics held while a history replay is prepared (see
 * `subscribe-streams.ts`), then released behind the replay minus what it already carried.
 *
 * After the release the topic keeps a watermark (the last replayed position) until a live
 * delivery passes it: where the broker's history reads and its live deliveries travel different
 * links (the topic service's HTTP read and long poll), a publication the read already carried can
 * still arrive live afterwards, and is dropped here rather than sent twice.
 */
import type { StreamPosition } from '@firetower/protocol';
import type { Frame } from '../transport/send-queue.js';

type TopicState =
  | { kind: 'holding'; frames: Array<{ frame: Frame; position: StreamPosition | undefined }>; bytes: number; overflowed: boolean }
  | { kind: 'replayed'; through: StreamPosition };

/** Was this publication already carried by a replay through `through`? */
const carried = (position: StreamPosition | undefined, through: StreamPosition | undefined): boolean =>
  through !== undefined && position !== undefined && position.epoch === through.epoch && position.offset <= through.offset;

export class HeldDeliveries {
  private readonly topics = new Map<string, TopicState>();

  /** @param maxBytes what one topic may hold (the outbox's limit); past it all is dropped. */
  constructor(private readonly maxBytes: number) {}

  get size(): number {
    return this.topics.size;
  }

  has(topic: string): boolean {
    return this.topics.has(topic);
  }

  hold(topics: readonly string[]): void {
    for (const topic of topics) {
      if (this.topics.get(topic)?.kind !== 'holding') this.topics.set(topic, { kind: 'holding', frames: [], bytes: 0, overflowed: false });
    }
  }

  /** The connection left the topic: nothing to hold or to filter any more. */
  forget(topic: string): void {
    this.topics.delete(topic);
  }

  /** A live delivery of a topic in this set: held, dropped as already replayed, or written. */
  add(topic: string, frame: Frame, position: StreamPosition | undefined, write: (frame: Frame) => void): void {
    const state = this.topics.get(topic);
    if (state === undefined) return write(frame);
    if (state.kind === 'replayed') {
      if (carried(position, state.through)) return;
      // Past the watermark: live from here on.
      this.topics.delete(topic);
      return write(frame);
    }
    if (state.overflowed) return;
    const size = typeof frame === 'string' ? frame.length : frame.payload.length;
    if (state.bytes + size > this.maxBytes) {
      // Too much arrived during the read: drop it all. The client sees the gap in offsets at the
      // next delivery and recovers it from the history.
      state.frames = [];
      state.overflowed = true;
      return;
    }
    state.bytes += size;
    state.frames.push({ frame, position });
  }

  /** Stop holding `topic`; `write` what was held except publications at or before `through`, which becomes the watermark. */
  release(topic: string, through: StreamPosition | undefined, write: (frame: Frame) => void): void {
    const state = this.topics.get(topic);
    if (state === undefined || state.kind !== 'holding') return;
    if (through === undefined) this.topics.delete(topic);
    else this.topics.set(topic, { kind: 'replayed', through });
    let passed = false;
    for (const { frame, position } of state.frames) {
      if (carried(position, through)) continue;
      passed = true;
      write(frame);
    }
    // A held delivery past the replay already took the topic live.
    if (passed) this.topics.delete(topic);
  }
}
