/**
 * WatchTopic: one watched entry per topic, shared by every watcher of it, and a writer per call
 * that never queues more than the latest count for a slow reader.
 *
 * The first count is read with `ft.count(topic)` (the cluster-wide operation GetTopic uses); every
 * change after it comes from `ft.onCountChange`, the server's debounced cluster-wide count changes.
 * A broker that does not declare `capabilities.reportsEveryCountChange` (the topic-service broker
 * tells only nodes with local subscribers of the topic) gets a slow re-read as a fallback.
 */
import type { ServerWritableStream, handleServerStreamingCall } from '@grpc/grpc-js';
import type { Broker } from '@firetower/server';
import createDebug from 'debug';
import type { CallContext } from './context.js';
import { GrpcApiError, type CallStatus } from './errors.js';
import type { TopicReply, TopicRequest } from './messages.js';
import { validTopic } from './validate.js';

const debug = createDebug('firetower:grpc:watch');

type CountListener = (count: number) => void;

/**
 * The re-read interval a broker needs: undefined when it declares `reportsEveryCountChange` (its
 * nodes all hear, through `BrokerNode.countsChanged`, of every count change in the cluster, so
 * `ft.onCountChange` covers every watched topic). A broker that declares nothing is re-read.
 */
export function fallbackPollFor(broker: Pick<Broker, 'capabilities'>, intervalMs: number): number | undefined {
  return broker.capabilities?.reportsEveryCountChange === true ? undefined : intervalMs;
}

/** Where counts come from: `ft.count` and `ft.onCountChange`. */
export interface CountSource {
  read(topic: string): Promise<number>;
  listen(listener: (change: { topic: string; count: number }) => void): () => void;
  /** Also re-read each watched topic this often; undefined when `listen` covers every change. */
  fallbackPollMs: number | undefined;
  /** Told of a read that failed (the watchers keep the last count and the next read retries). */
  readFailed?(error: unknown, topic: string): void;
}

interface WatchedTopic {
  listeners: Set<CountListener>;
  /** Undefined until the first read (or change) answers. */
  last: number | undefined;
  /** Counts changes heard, so a read that started before one never overwrites it with an older count. */
  version: number;
  timer: NodeJS.Timeout | undefined;
}

export type WatcherState = 'running' | 'closed';

export class TopicCountWatcher {
  private readonly topics = new Map<string, WatchedTopic>();
  private state: WatcherState = 'running';
  /** Removes our ft.onCountChange listener; set while at least one topic is watched. */
  private unlisten: (() => void) | undefined;

  constructor(private readonly source: CountSource) {}

  /** Calls `listener` with the current count, then with each change. Returns the unwatch function. */
  watch(topic: string, listener: CountListener): () => void {
    if (this.state === 'closed') throw new GrpcApiError('shutting_down', 'the server is shutting down');
    let watched = this.topics.get(topic);
    if (watched === undefined) {
      watched = { listeners: new Set(), last: undefined, version: 0, timer: undefined };
      this.topics.set(topic, watched);
      // Listen before the first read, so no change between the read and the listener is lost.
      this.unlisten ??= this.source.listen((change) => this.heard(change.topic, change.count));
      this.read(topic, watched);
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
      if (this.topics.size === 0) this.stopListening();
    };
  }

  close(): void {
    this.state = 'closed';
    for (const watched of this.topics.values()) clearTimeout(watched.timer);
    this.topics.clear();
    this.stopListening();
  }

  private stopListening(): void {
    this.unlisten?.();
    this.unlisten = undefined;
  }

  private heard(topic: string, count: number): void {
    const watched = this.topics.get(topic);
    if (watched === undefined) return;
    watched.version += 1;
    this.offer(watched, count);
  }

  private offer(watched: WatchedTopic, count: number): void {
    if (count === watched.last) return;
    watched.last = count;
    for (const listener of [...watched.listeners]) listener(count);
  }

  private read(topic: string, watched: WatchedTopic): void {
    const version = watched.version;
    let reading: Promise<number>;
    // Runs from a timer too: a synchronous throw here would be an uncaught exception.
    try {
      reading = Promise.resolve(this.source.read(topic));
    } catch (error) {
      reading = Promise.reject(error);
    }
    reading
      .then(
        (count) => {
          if (this.topics.get(topic) === watched && watched.version === version) this.offer(watched, count);
        },
        (error: unknown) => {
          debug('count of %s failed: %O', topic, error);
          this.source.readFailed?.(error, topic);
        },
      )
      .catch((error: unknown) => debug('watcher of %s failed: %O', topic, error))
      .finally(() => {
        const interval = this.source.fallbackPollMs;
        if (interval === undefined || this.state === 'closed' || this.topics.get(topic) !== watched) return;
        // A chain of timeouts, not an interval: a slow broker read never overlaps the next one.
        watched.timer = setTimeout(() => this.read(topic, watched), interval);
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
  end(status?: CallStatus): void {
    if (this.state === 'ended') return;
    this.state = 'ended';
    this.pending = undefined;
    if (this.stream.cancelled) return;
    if (status === undefined) this.stream.end();
    else this.stream.emit('error', status);
  }
}

/** Live WatchTopic calls, so close() can end them with UNAVAILABLE instead of waiting forever. */
export type ActiveWatches = Set<(error: GrpcApiError) => void>;

export function watchTopicHandler(context: CallContext, active: ActiveWatches): handleServerStreamingCall<TopicRequest, TopicReply> {
  return (call) => {
    // Admission already happened (admission.ts); a throw here is answered by guard.ts.
    const info = { method: call.getPath(), peer: call.getPeer() };
    const topic = validTopic(call.request.topic, context.options);
    if (call.cancelled) return;
    const writer = new LatestValueWriter<TopicReply>(call);
    const unwatch = context.watcher.watch(topic, (count) => writer.offer({ topic, count, exists: count > 0 }));
    const stop = (error?: GrpcApiError): void => {
      unwatch();
      active.delete(stop);
      writer.end(error === undefined ? undefined : context.fault(error, info));
    };
    active.add(stop);
    // Cancellation covers the client hanging up and its deadline passing.
    call.on('cancelled', () => stop());
  };
}
