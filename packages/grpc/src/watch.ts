/**
 * WatchTopic: one count poller per watched topic, shared by every watcher of it, and a writer
 * per call that never queues more than the latest count for a slow reader.
 *
 * FiretowerApi has no count-change event a library can subscribe to after `firetower()` was
 * created (onCountChange is an app hook), so the count is read with `ft.count(topic)`, the same
 * cluster-wide operation GetTopic uses, and only changes are passed on.
 */
import type { ServerWritableStream, handleServerStreamingCall } from '@grpc/grpc-js';
import createDebug from 'debug';
import { admit, type CallContext } from './context.js';
import { GrpcApiError, toServiceError } from './errors.js';
import type { TopicReply, TopicRequest } from './messages.js';
import { validTopic } from './validate.js';

const debug = createDebug('firetower:grpc:watch');

type CountListener = (count: number) => void;

interface WatchedTopic {
  listeners: Set<CountListener>;
  /** Undefined until the first read answers. */
  last: number | undefined;
  timer: NodeJS.Timeout | undefined;
}

export type WatcherState = 'running' | 'closed';

export class TopicCountWatcher {
  private readonly topics = new Map<string, WatchedTopic>();
  private state: WatcherState = 'running';

  constructor(
    private readonly readCount: (topic: string) => Promise<number>,
    private readonly intervalMs: number,
  ) {}

  /** Calls `listener` with the current count, then with each change. Returns the unwatch function. */
  watch(topic: string, listener: CountListener): () => void {
    if (this.state === 'closed') throw new GrpcApiError('shutting_down', 'the server is shutting down');
    let watched = this.topics.get(topic);
    if (watched === undefined) {
      watched = { listeners: new Set(), last: undefined, timer: undefined };
      this.topics.set(topic, watched);
      this.poll(topic, watched);
    } else if (watched.last !== undefined) {
      listener(watched.last);
    }
    watched.listeners.add(listener);
    const entry = watched;
    return () => {
      entry.listeners.delete(listener);
      if (entry.listeners.size > 0 || this.topics.get(topic) !== entry) return;
      clearTimeout(entry.timer);
      this.topics.delete(topic);
    };
  }

  close(): void {
    this.state = 'closed';
    for (const watched of this.topics.values()) clearTimeout(watched.timer);
    this.topics.clear();
  }

  private poll(topic: string, watched: WatchedTopic): void {
    // A chain of timeouts, not an interval: a slow broker read never overlaps the next one.
    this.readCount(topic).then(
      (count) => {
        if (this.topics.get(topic) !== watched) return;
        if (count !== watched.last) {
          watched.last = count;
          for (const listener of watched.listeners) listener(count);
        }
      },
      (error: unknown) => debug('count of %s failed: %O', topic, error),
    ).finally(() => {
      if (this.state === 'closed' || this.topics.get(topic) !== watched) return;
      watched.timer = setTimeout(() => this.poll(topic, watched), this.intervalMs);
      watched.timer.unref();
    });
  }
}

type WriterState = 'writing' | 'awaiting-drain' | 'ended';

/**
 * Writes to a server stream without ever building a queue: while the stream is over its
 * high-water mark only the newest value is kept, and it is written on 'drain'.
 */
export class LatestValueWriter<T> {
  private state: WriterState = 'writing';
  private pending: T | undefined;

  constructor(private readonly stream: ServerWritableStream<unknown, T>) {
    stream.on('drain', () => {
      if (this.state !== 'awaiting-drain') return;
      this.state = 'writing';
      const next = this.pending;
      this.pending = undefined;
      if (next !== undefined) this.offer(next);
    });
  }

  offer(value: T): void {
    if (this.state === 'ended') return;
    if (this.state === 'awaiting-drain') {
      this.pending = value;
      return;
    }
    if (!this.stream.write(value)) this.state = 'awaiting-drain';
  }

  /** Ends the stream with an error status (or OK when none) exactly once. */
  end(error?: unknown): void {
    if (this.state === 'ended') return;
    this.state = 'ended';
    this.pending = undefined;
    if (this.stream.cancelled) return;
    if (error === undefined) this.stream.end();
    else this.stream.emit('error', toServiceError(error));
  }
}

/** Live WatchTopic calls, so close() can end them with UNAVAILABLE instead of waiting forever. */
export type ActiveWatches = Set<(error: GrpcApiError) => void>;

export function watchTopicHandler(
  context: CallContext,
  active: ActiveWatches,
): handleServerStreamingCall<TopicRequest, TopicReply> {
  return (call) => {
    const writer = new LatestValueWriter<TopicReply>(call);
    admit(context, call)
      .then(() => {
        const topic = validTopic(call.request.topic, context.options);
        if (call.cancelled) return;
        const unwatch = context.watcher.watch(topic, (count) => writer.offer({ topic, count, exists: count > 0 }));
        const stop = (error?: GrpcApiError): void => {
          unwatch();
          active.delete(stop);
          writer.end(error);
        };
        active.add(stop);
        // Cancellation covers the client hanging up and its deadline passing.
        call.on('cancelled', () => stop());
      })
      .catch((error: unknown) => writer.end(error));
  };
}
