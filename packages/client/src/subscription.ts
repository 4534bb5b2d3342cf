import { callbackError, IsolatedEmitter } from './callbacks.js';
import { FiretowerError } from './errors.js';
import type { StateChange, SubscribedEvent } from './events.js';
import type { PresenceList, PresenceMember } from '@firetower/protocol';
import type { MessageHandler, TopicMessage } from './topics.js';

/**
 * - `pending`: waiting for the server's acknowledgement (across reconnects if need be).
 * - `subscribed`: the server acknowledged every topic of this handle.
 * - `failed`: a topic was refused or invalid; the handle released all its topics.
 * - `unsubscribed`: `unsubscribe()` was called.
 */
export type SubscriptionState = 'pending' | 'subscribed' | 'failed' | 'unsubscribed';

export interface SubscriptionEvents<T> {
  state: [change: StateChange<SubscriptionState>];
  message: [message: TopicMessage<T>];
  /** A topic of this handle is live: on the first ack, after every reconnect and every recovery; also when the handle joins a topic the client already held. */
  subscribed: [event: SubscribedEvent];
  /** With `{ presence: true }`: a member's first connection on `topic` anywhere in the cluster. */
  join: [member: PresenceMember, topic: string];
  /** With `{ presence: true }`: a member's last connection on `topic` is gone (a reload within a second is neither). */
  leave: [member: PresenceMember, topic: string];
  error: [error: FiretowerError];
}

/** What a handle needs of its client. */
export interface SubscriptionLink {
  release(subscriber: TopicSubscriber): void;
  /** Where an app callback's exception goes: the client's `error` event. */
  report(error: FiretowerError): void;
  presence(topic: string): Promise<PresenceList>;
}

/** What the client's registry needs of a subscription, without its payload type. */
export interface TopicSubscriber {
  readonly topics: readonly string[];
  readonly wantsPresence: boolean;
  confirm(topic: string): void;
  presenceEvent(type: 'join' | 'leave', member: PresenceMember, topic: string): void;
  subscribed(event: SubscribedEvent): void;
  fail(error: FiretowerError): void;
  deliver(message: TopicMessage): void;
  abandonReady(error: FiretowerError): void;
}

/** The handle `subscribe()` returns. Handlers are counted per topic by the client: the server hears only the first subscribe and the last unsubscribe. */
export class Subscription<T = unknown> extends IsolatedEmitter<SubscriptionEvents<T>> implements TopicSubscriber {
  // Assigned in the constructor; `declare` keeps the bundle from defining each one twice.
  declare readonly topics: readonly string[];
  /**
   * Resolves when the server acknowledged every topic; rejects with a `FiretowerError`
   * (`refused`, `invalid`, or `closed` when the client or the handle was closed first).
   * Never reported as unhandled: awaiting it is optional.
   */
  declare readonly ready: Promise<void>;
  declare private current: SubscriptionState;
  declare private readonly awaiting: Set<string>;
  declare private settle: { resolve(): void; reject(error: FiretowerError): void } | undefined;

  /** @internal Created by `Firetower.subscribe()`. */
  constructor(
    topics: readonly string[],
    private readonly handler: MessageHandler<T> | undefined,
    private readonly link: SubscriptionLink,
    /** Emits `join` / `leave`: the handle was made with `{ presence: true }`. */
    readonly wantsPresence = false,
  ) {
    super();
    this.current = 'pending';
    this.topics = topics;
    this.awaiting = new Set(topics);
    this.ready = new Promise<void>((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    this.ready.catch(() => {});
  }

  get state(): SubscriptionState {
    return this.current;
  }

  /** Stops the handler; the server is told once no other handle holds the topic. Idempotent. */
  unsubscribe(): void {
    if (this.current === 'failed' || this.current === 'unsubscribed') return;
    this.abandonReady(new FiretowerError('closed', 'unsubscribed before the ack'));
    this.setState('unsubscribed');
    this.link.release(this);
  }

  /**
   * Who is on a topic of this handle (one with presence on the server): `{ members: [{ id, info,
   * connections }], total, truncated }`. Waits for `ready`; name the topic on a handle of several.
   * Rejects with a `FiretowerError`: `invalid` (no such topic here, or it has no presence:
   * `serverCode` `no_presence`), `refused`, `closed` (not connected, or the connection dropped first).
   */
  presence(topic?: string): Promise<PresenceList> {
    const about = topic ?? (this.topics.length === 1 ? this.topics[0] : undefined);
    if (about === undefined || !this.topics.includes(about)) {
      return Promise.reject(new FiretowerError('invalid', 'name a topic of this handle'));
    }
    return this.ready.then(() => this.link.presence(about));
  }

  /** @internal */
  presenceEvent(type: 'join' | 'leave', member: PresenceMember, topic: string): void {
    // A failed or unsubscribed handle is no holder of the topic any more: it never gets here.
    if (this.wantsPresence) this.emit(type, member, topic);
  }

  /** @internal The server acknowledged one topic (or already held it). */
  confirm(topic: string): void {
    if (this.current !== 'pending' || !this.awaiting.delete(topic) || this.awaiting.size > 0) return;
    this.settle?.resolve();
    this.settle = undefined;
    this.setState('subscribed');
  }

  /** @internal */
  subscribed(event: SubscribedEvent): void {
    if (this.current !== 'failed' && this.current !== 'unsubscribed') this.emit('subscribed', event);
  }

  /** @internal A topic was refused: the whole handle fails and lets go of its other topics. */
  fail(error: FiretowerError): void {
    if (this.current === 'failed' || this.current === 'unsubscribed') return;
    this.abandonReady(error);
    this.setState('failed');
    this.link.release(this);
    this.emit('error', error);
  }

  /** @internal */
  abandonReady(error: FiretowerError): void {
    this.settle?.reject(error);
    this.settle = undefined;
  }

  /** @internal */
  deliver(message: TopicMessage): void {
    if (this.current === 'failed' || this.current === 'unsubscribed') return;
    // The topic map is the app's statement of what the server sends on these topics; this is
    // the one place the client takes it on trust.
    const typed = message as TopicMessage<T>;
    if (this.handler) {
      try {
        this.handler(typed.data, typed);
      } catch (thrown) {
        this.link.report(callbackError('handler', thrown, typed.topic));
      }
    }
    this.emit('message', typed);
  }

  /** A listener threw: reported on the client's `error` event. */
  protected listenerThrew(event: string, thrown: unknown, topic: string | undefined): void {
    this.link.report(callbackError(`subscription '${event}' listener`, thrown, topic ?? this.topics[0]));
  }

  private setState(next: SubscriptionState): void {
    const previous = this.current;
    if (previous === next) return;
    this.current = next;
    this.emit('state', { previous, current: next });
  }
}
