import { randomBytes } from 'node:crypto';
import { Fifo } from '@firetower/protocol';
import type { HistoryResponse, WireHistoryPolicy } from '../wire.js';

/**
 * The topics' history streams, in memory (issue 18).
 *
 * Each topic that keeps history has a stream: an epoch (a random token, new whenever the stream is
 * created), the offset of its last publish (+1 per publish, from 1 in each epoch) and a ring of its
 * newest publications, each kept `ttlMs` and at most `size` of them (the policy of the topic's last
 * publish). The stream itself (its position) is forgotten `metaTtlMs` after its last publish; the
 * next publish starts a new epoch. A service restart loses every stream, so every epoch changes:
 * a subscriber is told `epoch_changed`, never handed a silent gap.
 *
 * Bounded beyond the per-topic policy: at most `maxStreams` streams and about `maxBytes` of kept
 * publications. Past either, the stream published least recently goes whole (its next publish
 * starts a new epoch), so what is lost is always announced, never a hole inside a stream.
 * Expired streams and publications leave on access and at each `sweep`.
 */

/**
 * What one kept publication costs beyond its data, in bytes: about 100 measured on Node 20
 * (bench/history-memory.mjs, see the README's "History"), rounded up. Data is counted as its
 * length: one byte per character for Latin-1 text, as V8 stores it (other text costs two).
 */
export const ENTRY_OVERHEAD_BYTES = 120;
/** What a stream costs beyond its publications (its map entry, ring, epoch and policy): about 500 measured. */
export const STREAM_OVERHEAD_BYTES = 500;

export interface HistoryStreamLimits {
  /** Streams kept at once. */
  maxStreams: number;
  /** About the memory of all streams (data length plus the overheads above). */
  maxBytes: number;
  /** About the largest read answer (data length); the oldest of a read are left out beyond it. */
  maxReadBytes: number;
}

export interface HistoryStats {
  streams: number;
  publications: number;
  /** The accounted size (data length plus overheads), what `maxBytes` bounds. */
  bytes: number;
  /** Streams dropped whole by `maxStreams` / `maxBytes` (not by expiry). */
  evicted: number;
}

interface Kept {
  offset: number;
  data: string;
  /** Monotonic ms of the publish. */
  at: number;
}

class TopicStream {
  readonly entries = new Fifo<Kept>();
  offset = 0;
  bytes = STREAM_OVERHEAD_BYTES;

  constructor(
    readonly epoch: string,
    public policy: WireHistoryPolicy,
    public lastPublishAt: number,
  ) {}
}

const NO_STREAM = { offset: 0, epoch: '' } as const;

const cost = (data: string) => data.length + ENTRY_OVERHEAD_BYTES;

export class HistoryStreams {
  /** In order of last publish, least recent first: the eviction order. */
  private readonly streams = new Map<string, TopicStream>();
  private bytes = 0;
  private publications = 0;
  private evicted = 0;

  constructor(
    private readonly limits: HistoryStreamLimits,
    private readonly newEpoch: () => string = () => randomBytes(9).toString('base64url'),
  ) {}

  /** Append a publish to its topic's stream (creating it, in a new epoch, when there is none): its position. */
  append(topic: string, data: string, policy: WireHistoryPolicy, now: number): { offset: number; epoch: string } {
    let stream = this.live(topic, now);
    if (stream) {
      this.streams.delete(topic); // re-inserted last: the most recently published
    } else {
      stream = new TopicStream(this.newEpoch(), policy, now);
      this.bytes += stream.bytes;
    }
    this.streams.set(topic, stream);
    stream.policy = policy;
    stream.lastPublishAt = now;
    stream.offset += 1;
    if (policy.size > 0) {
      stream.entries.push({ offset: stream.offset, data, at: now });
      stream.bytes += cost(data);
      this.bytes += cost(data);
      this.publications += 1;
    }
    this.trim(stream, now);
    this.bound(stream);
    return { offset: stream.offset, epoch: stream.epoch };
  }

  /**
   * The newest `limit` kept publications with an offset above `after`, oldest first, and the
   * stream's position. `policy` narrows the answer to its size and ttl. Never creates a stream.
   */
  read(topic: string, after: number, limit: number, policy: WireHistoryPolicy | undefined, now: number): HistoryResponse {
    const stream = this.live(topic, now);
    if (!stream) return { publications: [], ...NO_STREAM };
    this.trim(stream, now);
    const { entries } = stream;
    const n = entries.length;
    const ttlMs = Math.min(policy?.ttlMs ?? Number.POSITIVE_INFINITY, stream.policy.ttlMs);
    const size = policy?.size ?? n;
    // Offsets in the ring are contiguous, so "above `after`" is an index.
    const firstOffset = n > 0 ? entries.at(0)!.offset : stream.offset + 1;
    let start = Math.max(0, Math.min(n, after + 1 - firstOffset), n - limit, n - size);
    while (start < n && now - entries.at(start)!.at > ttlMs) start += 1;
    // Walk back from the newest: the answer stays the newest ones, without gaps, under the byte cap.
    let from = n;
    let bytes = 0;
    let truncated = false;
    while (from > start) {
      const length = entries.at(from - 1)!.data.length;
      if (from < n && bytes + length > this.limits.maxReadBytes) {
        truncated = true;
        break;
      }
      bytes += length;
      from -= 1;
    }
    const publications = [];
    for (let i = from; i < n; i++) {
      const { offset, data } = entries.at(i)!;
      publications.push({ offset, data });
    }
    const answer: HistoryResponse = { publications, offset: stream.offset, epoch: stream.epoch };
    if (truncated) answer.truncated = true;
    return answer;
  }

  /** Drop expired streams and publications (the service's periodic sweep). */
  sweep(now: number): void {
    for (const [topic, stream] of this.streams) {
      if (this.expired(stream, now)) this.remove(topic, stream);
      else this.trim(stream, now);
    }
  }

  stats(): HistoryStats {
    return { streams: this.streams.size, publications: this.publications, bytes: this.bytes, evicted: this.evicted };
  }

  clear(): void {
    this.streams.clear();
    this.bytes = 0;
    this.publications = 0;
  }

  /** The topic's stream, unless there is none or its position expired (then it is dropped). */
  private live(topic: string, now: number): TopicStream | undefined {
    const stream = this.streams.get(topic);
    if (!stream) return undefined;
    if (!this.expired(stream, now)) return stream;
    this.remove(topic, stream);
    return undefined;
  }

  private expired(stream: TopicStream, now: number): boolean {
    return now - stream.lastPublishAt > stream.policy.metaTtlMs;
  }

  /** Drop a stream's publications beyond its size and ttl (the oldest first). */
  private trim(stream: TopicStream, now: number): void {
    const { entries, policy } = stream;
    while (entries.length > 0 && (entries.length > policy.size || now - entries.at(0)!.at > policy.ttlMs)) this.dropOldest(stream);
  }

  private dropOldest(stream: TopicStream): void {
    const gone = stream.entries.shift()!;
    stream.bytes -= cost(gone.data);
    this.bytes -= cost(gone.data);
    this.publications -= 1;
  }

  /** Keep within `maxStreams` and `maxBytes`: the least recently published streams go whole. */
  private bound(current: TopicStream): void {
    while (this.streams.size > this.limits.maxStreams || this.bytes > this.limits.maxBytes) {
      const oldest = this.streams.entries().next();
      if (oldest.done) return;
      const [topic, stream] = oldest.value;
      if (stream === current) {
        // The stream just published to is alone and still too big: its oldest publications go.
        while (this.bytes > this.limits.maxBytes && stream.entries.length > 1) this.dropOldest(stream);
        return;
      }
      this.remove(topic, stream);
      this.evicted += 1;
    }
  }

  private remove(topic: string, stream: TopicStream): void {
    this.streams.delete(topic);
    this.bytes -= stream.bytes;
    this.publications -= stream.entries.length;
  }
}
