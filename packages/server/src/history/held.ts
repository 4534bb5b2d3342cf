/**
 * Live deliveries of a connection's topics held while a history replay is prepared (see
 * `subscribe-streams.ts`), then released behind the replay minus what it already carried.
 */
import type { StreamPosition } from '@firetower/protocol';
import type { Frame } from '../transport/send-queue.js';

interface HeldTopic {
  frames: Array<{ frame: Frame; position: StreamPosition | undefined }>;
  bytes: number;
  overflowed: boolean;
}

export class HeldDeliveries {
  private readonly topics = new Map<string, HeldTopic>();

  /** @param maxBytes what one topic may hold (the outbox's limit); past it all is dropped. */
  constructor(private readonly maxBytes: number) {}

  get size(): number {
    return this.topics.size;
  }

  has(topic: string): boolean {
    return this.topics.has(topic);
  }

  hold(topics: readonly string[]): void {
    for (const topic of topics) if (!this.topics.has(topic)) this.topics.set(topic, { frames: [], bytes: 0, overflowed: false });
  }

  add(topic: string, frame: Frame, position: StreamPosition | undefined): void {
    const entry = this.topics.get(topic);
    if (entry === undefined || entry.overflowed) return;
    const size = typeof frame === 'string' ? frame.length : frame.payload.length;
    if (entry.bytes + size > this.maxBytes) {
      // Too much arrived during the read: drop it all. The client sees the gap in offsets at the
      // next delivery and recovers it from the history.
      entry.frames = [];
      entry.overflowed = true;
      return;
    }
    entry.bytes += size;
    entry.frames.push({ frame, position });
  }

  /** Stop holding `topic`; `write` what was held except publications at or before `through`. */
  release(topic: string, through: StreamPosition | undefined, write: (frame: Frame) => void): void {
    const entry = this.topics.get(topic);
    if (entry === undefined) return;
    this.topics.delete(topic);
    for (const { frame, position } of entry.frames) {
      if (through !== undefined && position !== undefined && position.epoch === through.epoch && position.offset <= through.offset) continue;
      write(frame);
    }
  }
}
