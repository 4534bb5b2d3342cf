import { type FiretowerError, serverError } from './errors.js';
import { SubscriptionRegistry } from './registry.js';
import type { Refusal } from './server-frames.js';
import type { TopicSubscriber } from './subscription.js';
import type { TopicMessage } from './topics.js';

interface TopicSyncLink {
  /** Sends a frame when a socket is open; false when there is none (the topic set is sent on the next open). */
  send(frame: { type: 'subscribe' | 'unsubscribe'; topic: string[]; id: string }): boolean;
  nextId(): string;
  maxTopicsPerFrame(): number;
  /** Every topic frame sent on open has been answered: queued publishes may follow. */
  synced(): void;
  error(error: FiretowerError): void;
}

/** A topic's standing on the current connection: a subscribe in flight (its frame id), or acknowledged. */
type ServerStanding = { status: 'pending'; requestId: string } | { status: 'active' };

interface TopicRequest {
  kind: 'subscribe' | 'unsubscribe';
  topics: string[];
}

/**
 * Keeps the server's topic set equal to the local one. Local changes only touch the registry;
 * the server hears first-subscribe / last-unsubscribe transitions while connected, and the whole
 * set on every (re)connect, so any burst of calls while disconnected collapses into one frame.
 */
export class TopicSync {
  readonly registry = new SubscriptionRegistry();
  private readonly standing = new Map<string, ServerStanding>();
  private readonly requests = new Map<string, TopicRequest>();
  /** Ids of the subscribe frames sent on open that are not answered yet. */
  private readonly resubscribing = new Set<string>();

  constructor(private readonly link: TopicSyncLink) {}

  /** True while the topics sent on open are unanswered; publishes wait behind them. */
  get syncing(): boolean {
    return this.resubscribing.size > 0;
  }

  add(subscriber: TopicSubscriber): void {
    const added = this.registry.add(subscriber);
    for (const topic of subscriber.topics) {
      if (this.standing.get(topic)?.status === 'active') subscriber.confirm(topic);
    }
    if (added.length > 0) this.request('subscribe', added);
  }

  release(subscriber: TopicSubscriber): void {
    // Only topics the server has (or is about to have) need an unsubscribe frame.
    const removed = this.registry.remove(subscriber).filter((topic) => this.standing.delete(topic));
    if (removed.length > 0) this.request('unsubscribe', removed);
  }

  /** A socket opened: send the whole set; publishes wait until it is answered. */
  opened(): void {
    for (const id of this.request('subscribe', this.registry.topics())) this.resubscribing.add(id);
    if (!this.syncing) this.link.synced();
  }

  /** The socket is gone: the next one starts from nothing. */
  dropped(): void {
    this.standing.clear();
    this.requests.clear();
    this.resubscribing.clear();
  }

  /** Closed for good: pending handles stop waiting (they stay registered for a later `connect()`). */
  abandon(error: FiretowerError): void {
    for (const subscriber of this.registry.subscribers()) subscriber.abandonReady(error);
  }

  deliver(message: TopicMessage): void {
    for (const subscriber of this.registry.holdersOf(message.topic)) subscriber.deliver(message);
  }

  /** True when the id was one of this sync's frames. */
  acknowledged(id: string, refused: readonly Refusal[]): boolean {
    const request = this.requests.get(id);
    if (!request) return false;
    this.requests.delete(id);
    if (request.kind === 'subscribe') {
      const refusedTopics = new Map(refused.map((r) => [r.topic, r]));
      for (const topic of request.topics) {
        const refusal = refusedTopics.get(topic);
        if (refusal) this.refuse(topic, serverError(refusal.code, `subscribe to ${topic} refused: ${refusal.reason}`, topic, refusal.reason));
        else this.activate(topic, id);
      }
    }
    this.answered(id);
    return true;
  }

  /** An error frame for one of this sync's frames: the named topic, or every topic of the frame, is refused. */
  failed(id: string, error: FiretowerError): boolean {
    const request = this.requests.get(id);
    if (!request) return false;
    this.requests.delete(id);
    if (request.kind === 'unsubscribe') this.link.error(error);
    else {
      const topics = error.topic !== undefined && request.topics.includes(error.topic) ? [error.topic] : request.topics;
      for (const topic of topics) this.refuse(topic, error);
      // The frame's other topics were not applied either when the whole frame failed.
    }
    this.answered(id);
    return true;
  }

  private activate(topic: string, requestId: string): void {
    const standing = this.standing.get(topic);
    // A later subscribe/unsubscribe of the same topic superseded this ack.
    if (standing?.status !== 'pending' || standing.requestId !== requestId) return;
    this.standing.set(topic, { status: 'active' });
    for (const subscriber of this.registry.holdersOf(topic)) subscriber.confirm(topic);
  }

  private refuse(topic: string, error: FiretowerError): void {
    const standing = this.standing.get(topic);
    if (standing?.status === 'active') return;
    this.standing.delete(topic);
    for (const subscriber of this.registry.holdersOf(topic)) subscriber.fail(error);
    this.link.error(error);
  }

  private answered(id: string): void {
    if (this.resubscribing.delete(id) && !this.syncing) this.link.synced();
  }

  /** Sends the topics in frames of at most `maxTopicsPerFrame`; returns the ids of the frames sent. */
  private request(kind: TopicRequest['kind'], topics: string[]): string[] {
    const ids: string[] = [];
    const size = Math.max(1, this.link.maxTopicsPerFrame());
    for (let start = 0; start < topics.length; start += size) {
      const chunk = topics.slice(start, start + size);
      const id = this.link.nextId();
      if (!this.link.send({ type: kind, topic: chunk, id })) return ids;
      this.requests.set(id, { kind, topics: chunk });
      ids.push(id);
      for (const topic of chunk) {
        if (kind === 'subscribe') this.standing.set(topic, { status: 'pending', requestId: id });
      }
    }
    return ids;
  }
}
