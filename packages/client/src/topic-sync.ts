import type { SinceRequest, StreamPosition } from '@firetower/protocol';
import { type FiretowerError, serverError } from './errors.js';
import type { SubscribedEvent } from './events.js';
import { SubscriptionRegistry } from './registry.js';
import type { AckedStream, Refusal } from './server-frames.js';
import { StreamPositions } from './stream-positions.js';
import type { TopicSubscriber } from './subscription.js';
import type { TopicMessage } from './topics.js';

interface TopicFrame {
  type: 'subscribe' | 'unsubscribe';
  topic: string[];
  id: string;
  since?: Record<string, SinceRequest>;
  presence?: true;
}

interface TopicSyncLink {
  /** Sends a frame's text when a socket is open; false when there is none (the topic set is sent on the next open). */
  send(text: string): boolean;
  nextId(): string;
  /** Every topic frame sent on open has been answered: queued publishes may follow. */
  synced(): void;
  report(error: FiretowerError): void;
  /** A topic's subscribe was acknowledged. */
  subscribed(event: SubscribedEvent): void;
}

/** A topic's standing on the current connection: a subscribe in flight (its frame id), or acknowledged. */
type ServerStanding = { status: 'pending'; requestId: string } | { status: 'active' };

interface TopicRequest {
  kind: 'subscribe' | 'unsubscribe';
  topics: string[];
  /** The topics this subscribe asked to recover from a position. */
  recovering: Set<string>;
}

/**
 * Keeps the server's topic set equal to the local one. Local changes only touch the registry;
 * the server hears first-subscribe / last-unsubscribe transitions while connected, and the whole
 * set on every (re)connect, so any burst of calls while disconnected collapses into one frame.
 */
export class TopicSync {
  // Assigned in the constructor; `declare` keeps the bundle from defining each one (see client.ts).
  declare readonly registry: SubscriptionRegistry;
  declare private readonly streams: StreamPositions;
  declare private readonly standing: Map<string, ServerStanding>;
  declare private readonly requests: Map<string, TopicRequest>;
  /** Ids of the subscribe frames sent on open that are not answered yet. */
  declare private readonly resubscribing: Set<string>;

  constructor(
    private readonly link: TopicSyncLink,
    private readonly options: { maxTopicsPerFrame: number },
  ) {
    this.registry = new SubscriptionRegistry();
    this.streams = new StreamPositions();
    this.standing = new Map();
    this.requests = new Map();
    this.resubscribing = new Set();
  }

  /** True while the topics sent on open are unanswered; publishes wait behind them. */
  get syncing(): boolean {
    return this.resubscribing.size > 0;
  }

  /** `catchUp`: replay the newest publications of the topics this handle is the first to hold. */
  add(subscriber: TopicSubscriber, catchUp?: number): void {
    // Topics already held without presence are subscribed again, with it, for this handle.
    const upgraded = subscriber.wantsPresence ? subscriber.topics.filter((topic) => !this.wantsPresence(topic)) : [];
    const added = this.registry.add(subscriber);
    const asked = [...new Set([...added, ...upgraded])];
    for (const topic of subscriber.topics) {
      if (this.standing.get(topic)?.status !== 'active' || upgraded.includes(topic)) continue;
      subscriber.confirm(topic);
      // No ack will come for a topic that was live before this handle: it hears here, once it can listen.
      queueMicrotask(() => subscriber.subscribed({ topic, wasRecovering: false, recovered: false }));
    }
    if (catchUp) for (const topic of added) this.streams.wantCatchUp(topic, catchUp);
    if (asked.length > 0) this.request('subscribe', asked);
  }

  release(subscriber: TopicSubscriber): void {
    const gone = this.registry.remove(subscriber);
    for (const topic of gone) this.streams.forget(topic);
    // Only topics the server has (or is about to have) need an unsubscribe frame.
    const removed = gone.filter((topic) => this.standing.delete(topic));
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
    this.streams.dropped();
  }

  /** Closed for good: pending handles stop waiting (they stay registered for a later `connect()`). */
  abandon(error: FiretowerError): void {
    for (const subscriber of this.registry.subscribers()) subscriber.abandonReady(error);
  }

  /**
   * Hands a delivery to the topic's holders unless it is a duplicate or out of order; a lost
   * message recovers the topic. False when the message was dropped.
   */
  deliver(message: TopicMessage, position: StreamPosition | undefined): boolean {
    const holders = this.registry.holdersOf(message.topic);
    // Positions are kept for held topics only: a topic the app let go of has no stream to follow.
    if (holders.length > 0) {
      const verdict = this.streams.check(message.topic, position);
      // The server replays from the last position after the ack, this message included.
      if (verdict === 'gap') this.request('subscribe', [message.topic]);
      if (verdict !== 'deliver') return false;
    }
    for (const subscriber of holders) subscriber.deliver(message);
    return true;
  }

  /** True when the id was one of this sync's frames. */
  acknowledged(id: string, refused: readonly Refusal[], streams: ReadonlyMap<string, AckedStream>): boolean {
    const request = this.requests.get(id);
    if (!request) return false;
    this.requests.delete(id);
    if (request.kind === 'subscribe') {
      const refusedTopics = new Map(refused.map((r) => [r.topic, r]));
      for (const topic of request.topics) {
        const refusal = refusedTopics.get(topic);
        if (refusal) this.refuse(topic, serverError(refusal.code, `subscribe to ${topic} refused: ${refusal.reason}`, topic, refusal.reason));
        else this.activate(topic, id, request.recovering.has(topic), streams.get(topic));
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
    if (request.kind === 'unsubscribe') this.link.report(error);
    else {
      const topics = error.topic !== undefined && request.topics.includes(error.topic) ? [error.topic] : request.topics;
      for (const topic of topics) this.refuse(topic, error);
      // The frame's other topics were not applied either when the whole frame failed.
    }
    this.answered(id);
    return true;
  }

  private activate(topic: string, requestId: string, wasRecovering: boolean, stream: AckedStream | undefined): void {
    const standing = this.standing.get(topic);
    // A later subscribe/unsubscribe of the same topic superseded this ack.
    if (standing?.status !== 'pending' || standing.requestId !== requestId) return;
    this.standing.set(topic, { status: 'active' });
    const recovered = wasRecovering && !!stream?.recovered;
    // After a failed recovery the next message is the new start, whatever its offset: the app was
    // told (and refetches), and a server whose history is unavailable would otherwise answer every
    // live message with another recovery that fails the same way.
    this.streams.acked(topic, wasRecovering && !recovered ? undefined : stream);
    const event: SubscribedEvent = { topic, wasRecovering, recovered };
    // A topic without an entry keeps no history (any more): nothing could be recovered.
    const reason = wasRecovering && !recovered ? (stream ? stream.reason : 'no_history') : undefined;
    if (reason !== undefined) event.reason = reason;
    for (const subscriber of this.registry.holdersOf(topic)) {
      subscriber.confirm(topic);
      subscriber.subscribed(event);
    }
    this.link.subscribed(event);
  }

  private refuse(topic: string, error: FiretowerError): void {
    const standing = this.standing.get(topic);
    if (standing?.status === 'active') return;
    this.standing.delete(topic);
    for (const subscriber of this.registry.holdersOf(topic)) subscriber.fail(error);
    this.link.report(error);
  }

  private answered(id: string): void {
    if (this.resubscribing.delete(id) && !this.syncing) this.link.synced();
  }

  private wantsPresence(topic: string): boolean {
    return this.registry.holdersOf(topic).some((subscriber) => subscriber.wantsPresence);
  }

  /**
   * Sends the topics in frames of at most `maxTopicsPerFrame`, a subscribe's topics that a handle
   * wants presence of in frames of their own (`presence: true`); returns the ids of the frames sent.
   */
  private request(kind: TopicRequest['kind'], topics: string[]): string[] {
    const withPresence = kind === 'subscribe' ? topics.filter((topic) => this.wantsPresence(topic)) : [];
    const rest = topics.filter((topic) => !withPresence.includes(topic));
    return [...this.send(kind, withPresence, true), ...this.send(kind, rest, false)];
  }

  private send(kind: TopicRequest['kind'], topics: string[], presence: boolean): string[] {
    const ids: string[] = [];
    const size = Math.max(1, this.options.maxTopicsPerFrame);
    for (let start = 0; start < topics.length; start += size) {
      const chunk = topics.slice(start, start + size);
      const id = this.link.nextId();
      const frame: TopicFrame = { type: kind, topic: chunk, id };
      if (presence) frame.presence = true;
      const recovering = new Set<string>();
      if (kind === 'subscribe') {
        const since = chunk.flatMap((topic) => {
          const asked = this.streams.since(topic);
          if (asked && 'offset' in asked) recovering.add(topic);
          return asked ? [[topic, asked] as const] : [];
        });
        // fromEntries defines own properties: a topic named __proto__ stays a key.
        if (since.length > 0) frame.since = Object.fromEntries(since);
      }
      if (!this.link.send(JSON.stringify(frame))) return ids;
      this.requests.set(id, { kind, topics: chunk, recovering });
      ids.push(id);
      for (const topic of chunk) {
        if (kind === 'subscribe') this.standing.set(topic, { status: 'pending', requestId: id });
        if (recovering.has(topic)) this.streams.recovering(topic);
      }
    }
    return ids;
  }
}
