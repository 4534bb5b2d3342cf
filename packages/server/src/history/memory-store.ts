/**
 * The memory broker's history: one bounded stream per topic, in this process. Offsets are
 * contiguous within an epoch, so a read finds its first record by arithmetic, not by search.
 * Memory is bounded by the policies: at most `size` records per topic, dropped after `ttlMs`, and
 * a silent topic's stream forgotten `metaTtlMs` after its last publish (a sweep, unref'd).
 */
import { randomBytes } from 'node:crypto';
import { Fifo, type StreamPosition } from '@firetower/protocol';
import type { HistoryPolicy, HistoryQuery, HistoryRead, HistoryRecord } from '../broker/types.js';

interface StoredRecord extends HistoryRecord {
  /** `Date.now()` at publish, for the TTL. */
  at: number;
}

interface Stream {
  epoch: string;
  /** The last offset given out. */
  offset: number;
  records: Fifo<StoredRecord>;
  policy: HistoryPolicy;
  lastPublishAt: number;
}

const EMPTY: HistoryRead = Object.freeze({ publications: Object.freeze([]) as unknown as HistoryRecord[], offset: 0, epoch: '' });
/** How often forgotten streams are swept. */
const SWEEP_INTERVAL_MS = 60_000;

export class MemoryHistoryStore {
  private readonly streams = new Map<string, Stream>();
  /** Epochs are this process's prefix and a counter: unique per stream creation, short on the wire. */
  private readonly prefix = randomBytes(4).toString('base64url');
  private epochs = 0;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(private readonly now: () => number = Date.now) {}

  /** Topics with a stream (for tests and stats). */
  get size(): number {
    return this.streams.size;
  }

  /** Give the publish its offset and keep it. */
  append(topic: string, data: string, policy: HistoryPolicy): StreamPosition {
    const now = this.now();
    let stream = this.live(topic, now);
    if (stream === undefined) {
      stream = { epoch: `${this.prefix}${(this.epochs++).toString(36)}`, offset: 0, records: new Fifo(), policy, lastPublishAt: now };
      this.streams.set(topic, stream);
      this.sweeper ??= setInterval(() => this.sweep(), SWEEP_INTERVAL_MS).unref();
    }
    stream.policy = policy;
    stream.lastPublishAt = now;
    stream.offset++;
    stream.records.push({ offset: stream.offset, data, at: now });
    trim(stream, now);
    return { offset: stream.offset, epoch: stream.epoch };
  }

  /** The newest `limit` records after `after` (oldest first), and the stream's position. */
  read(topic: string, query: HistoryQuery): HistoryRead {
    const now = this.now();
    const stream = this.live(topic, now);
    if (stream === undefined) return EMPTY;
    trim(stream, now);
    const { records } = stream;
    const first = records.at(0);
    const publications: HistoryRecord[] = [];
    if (first !== undefined && query.limit > 0) {
      const after = Math.max(0, query.after ?? 0);
      const from = Math.max(0, after + 1 - first.offset, records.length - Math.min(query.limit, stream.policy.size));
      for (let i = from; i < records.length; i++) {
        const record = records.at(i)!;
        publications.push({ offset: record.offset, data: record.data });
      }
    }
    return { publications, offset: stream.offset, epoch: stream.epoch };
  }

  /** Forget everything (a test's "store restart"). */
  clear(): void {
    this.streams.clear();
  }

  close(): void {
    if (this.sweeper !== undefined) clearInterval(this.sweeper);
    this.sweeper = undefined;
    this.streams.clear();
  }

  /** The topic's stream unless its meta expired (then it is forgotten). */
  private live(topic: string, now: number): Stream | undefined {
    const stream = this.streams.get(topic);
    if (stream !== undefined && now - stream.lastPublishAt > stream.policy.metaTtlMs) {
      this.streams.delete(topic);
      return undefined;
    }
    return stream;
  }

  private sweep(): void {
    const now = this.now();
    for (const [topic, stream] of this.streams) {
      if (now - stream.lastPublishAt > stream.policy.metaTtlMs) this.streams.delete(topic);
      else trim(stream, now);
    }
    if (this.streams.size === 0 && this.sweeper !== undefined) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }
}

/** Drop records beyond the size and older than the TTL. */
function trim(stream: Stream, now: number): void {
  const { records, policy } = stream;
  if (records.length > policy.size) records.drop(records.length - policy.size);
  const oldest = now - policy.ttlMs;
  while (records.length > 0 && records.at(0)!.at < oldest) records.shift();
}
