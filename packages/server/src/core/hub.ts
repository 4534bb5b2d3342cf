import { encodeDelivery, type StreamPosition } from '@firetower/protocol';
import type { BrokerMessage, TopicCount } from '../broker/types.js';
import type { Frame } from '../transport/send-queue.js';
import { SharedFrame } from '../transport/writer.js';

/** What the hub needs of a connection. */
export interface HubMember {
  readonly clientId: string;
  readonly userId: string | undefined;
  /** The connection's own topic set; the hub keeps it in step with the index. */
  readonly topicSet: Set<string>;
  /** Write a frame; false when it was dropped or the connection is closing. */
  write(frame: Frame): boolean;
  /** Topics whose deliveries are held for a history replay (undefined: none, the common case). */
  readonly held: { has(topic: string): boolean; forget(topic: string): void } | undefined;
  /** A delivery of a topic in `held`: held during a replay, dropped when the replay carried it, else written. */
  holdFrame(topic: string, frame: Frame, position: StreamPosition | undefined): boolean;
}

export interface FanoutResult {
  frames: number;
  bytes: number;
}

/**
 * This node's index: topic → connections, clientId → connection, userId → connections. Only Maps
 * and Sets, so `__proto__` or `constructor` as a topic or user is just another key. Every change
 * of a topic's local count is reported once per operation (one call for a 64-topic subscribe).
 */
export class Hub<M extends HubMember> {
  private readonly index = new Map<string, Set<M>>();
  private readonly byClientId = new Map<string, M>();
  private readonly byUser = new Map<string, Set<M>>();
  private subscriptionCount = 0;

  constructor(
    private readonly rawDelivery: boolean,
    private readonly countsChanged: (changes: TopicCount[]) => void,
    /** Told which topics one connection gained or lost (presence); absent when nobody needs it. */
    private readonly membershipChanged?: (member: M, topics: readonly string[], joined: boolean) => void,
  ) {}

  get connections(): number {
    return this.byClientId.size;
  }

  get topicCount(): number {
    return this.index.size;
  }

  get subscriptions(): number {
    return this.subscriptionCount;
  }

  hasClientId(clientId: string): boolean {
    return this.byClientId.has(clientId);
  }

  get(clientId: string): M | undefined {
    return this.byClientId.get(clientId);
  }

  members(): IterableIterator<M> {
    return this.byClientId.values();
  }

  /** Connections of a user on this node (a copy: callers close or unsubscribe while iterating). */
  ofUser(userId: string): M[] {
    const set = this.byUser.get(userId);
    return set ? [...set] : [];
  }

  /** Subscribers of a topic on this node (a copy). */
  subscribersOf(topic: string): M[] {
    const set = this.index.get(topic);
    return set ? [...set] : [];
  }

  localCount(topic: string): number {
    return this.index.get(topic)?.size ?? 0;
  }

  localCounts(): TopicCount[] {
    const counts: TopicCount[] = [];
    for (const [topic, set] of this.index) counts.push({ topic, count: set.size });
    return counts;
  }

  add(member: M): void {
    this.byClientId.set(member.clientId, member);
    if (member.userId !== undefined) {
      let set = this.byUser.get(member.userId);
      if (!set) this.byUser.set(member.userId, (set = new Set()));
      set.add(member);
    }
  }

  /** Remove a connection from every index; returns the topics it held. */
  remove(member: M): string[] {
    if (this.byClientId.get(member.clientId) === member) this.byClientId.delete(member.clientId);
    if (member.userId !== undefined) {
      const set = this.byUser.get(member.userId);
      if (set) {
        set.delete(member);
        if (set.size === 0) this.byUser.delete(member.userId);
      }
    }
    const topics = [...member.topicSet];
    this.unsubscribe(member, topics);
    return topics;
  }

  /** Add topics; returns the ones that were new for this connection. */
  subscribe(member: M, topics: readonly string[]): string[] {
    const added: string[] = [];
    const changes: TopicCount[] = [];
    for (const topic of topics) {
      if (member.topicSet.has(topic)) continue;
      let set = this.index.get(topic);
      if (!set) this.index.set(topic, (set = new Set()));
      set.add(member);
      member.topicSet.add(topic);
      this.subscriptionCount++;
      added.push(topic);
      changes.push({ topic, count: set.size });
    }
    if (changes.length > 0) {
      this.countsChanged(changes);
      this.membershipChanged?.(member, added, true);
    }
    return added;
  }

  /** Remove topics; returns the ones the connection actually held. */
  unsubscribe(member: M, topics: readonly string[]): string[] {
    const removed: string[] = [];
    const changes: TopicCount[] = [];
    for (const topic of topics) {
      if (!member.topicSet.delete(topic)) continue;
      member.held?.forget(topic);
      const set = this.index.get(topic);
      let count = 0;
      if (set) {
        set.delete(member);
        count = set.size;
        if (count === 0) this.index.delete(topic);
      }
      this.subscriptionCount--;
      removed.push(topic);
      changes.push({ topic, count });
    }
    if (changes.length > 0) {
      this.countsChanged(changes);
      this.membershipChanged?.(member, removed, false);
    }
    return removed;
  }

  /**
   * Deliver a message to this node's subscribers: the frame is built and turned into a Buffer once,
   * and that same Buffer is written to every socket.
   */
  fanout(message: BrokerMessage): FanoutResult {
    const set = this.index.get(message.topic);
    if (set === undefined) return { frames: 0, bytes: 0 };
    const { topic, position } = message;
    const frame = new SharedFrame(Buffer.from(this.rawDelivery ? message.data : encodeDelivery(topic, message.data, position)));
    const exclude = message.exclude;
    let frames = 0;
    for (const member of set) {
      if (exclude !== undefined && member.clientId === exclude) continue;
      if (member.held !== undefined && member.held.has(topic) ? member.holdFrame(topic, frame, position) : member.write(frame)) frames++;
    }
    return { frames, bytes: frames * frame.payload.length };
  }
}
