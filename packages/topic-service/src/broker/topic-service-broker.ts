import createDebug from 'debug';
import {
  ClusterCore,
  type Broker,
  type BrokerCapabilities,
  type BrokerMessage,
  type BrokerNode,
  type BrokerState,
  type BrokerStatus,
  type ControlCommand,
  type HistoryQuery,
  type HistoryRead,
  type PresenceEntry,
  type PresenceUpdate,
  type TopicCount,
} from '@firetower/server';
import { TopicServiceClientError } from '../errors.js';
import { nodesReply, okReply, topicReply, topicsReply } from '../replies.js';
import type { WirePublish } from '../wire.js';
import { checkUrl } from './check-url.js';
import { ClaimBatcher, postClaims, wireKey } from './claims.js';
import { ServiceClient } from './client.js';
import { aborted, withDeadline } from './deadline.js';
import { LinkHealth, type LinkProblem } from './health.js';
import { fetchHistory, historyRequest, wirePolicy } from './history.js';
import { ServiceLink } from './link.js';
import { LinkLoops } from './link-loops.js';
import { fetchPresence } from './presence.js';
import { resolveOptions, type ResolvedOptions, type TopicServiceBrokerOptions } from './options.js';
import { OutgoingQueue, type OutgoingEntry } from './outgoing.js';
import { Registration } from './registration.js';
import type { ConditionWaiters } from './waiters.js';

const debug = createDebug('firetower:topic-service:broker');

export type { TopicServiceBrokerOptions };

/**
 * The core's `BrokerState` under this broker's older names: `idle` (`new`): not started;
 * `registering` (`starting`): (re)registering and sending the full subscription set; `connected`:
 * registered, last request went through; `unreachable` (`degraded`): registered but the service
 * does not answer (local delivery goes on, publishes buffer); `closed` (`closing`, `closed`).
 */
export type TopicServiceBrokerState = 'idle' | 'registering' | 'connected' | 'unreachable' | 'closed';

const LEGACY_STATE: Record<BrokerState, TopicServiceBrokerState> = {
  new: 'idle',
  starting: 'registering',
  connected: 'connected',
  degraded: 'unreachable',
  closing: 'closed',
  closed: 'closed',
};

/** `status()` of this broker: the shared fields plus its state and the current link problem. */
export interface TopicServiceBrokerStatus extends BrokerStatus {
  state: TopicServiceBrokerState;
  /** What is wrong with the link right now (reported once through `onError`), if anything. */
  error?: LinkProblem;
}

/** Use the topic service as a firetower broker: `firetower({ broker: topicServiceBroker({ url }) })`. */
export function topicServiceBroker(options: TopicServiceBrokerOptions): TopicServiceBroker {
  return new TopicServiceBroker(options);
}

export class TopicServiceBroker implements Broker {
  readonly kind = 'topic-service';
  /** The service tells a node only of count changes of topics it has local subscribers of. */
  readonly capabilities: BrokerCapabilities = { reportsEveryCountChange: false };
  /**
   * The lifecycle, local-first delivery, overflow, local-count fallback and link problems. The
   * transport queues every entry at once (with its sequence, for replay after a service restart)
   * and the send loop batches them, so the core's own outage buffer stays unused.
   */
  private readonly core: ClusterCore<OutgoingEntry>;
  private readonly outgoing: OutgoingQueue;
  private readonly opts: ResolvedOptions;
  /** Identity, queues and requests, shared with the registration and the loops. */
  private readonly link: ServiceLink;
  private readonly registration: Registration;
  private readonly linkLoops: LinkLoops;
  private readonly claims = new ClaimBatcher((keys) =>
    postClaims(this.link.client, { ttlMs: this.link.keyTtlMs(), keys }, this.link.closer.signal, this.opts.claimTimeoutMs),
  );
  private loops: Promise<void>[] = [];

  constructor(options: TopicServiceBrokerOptions) {
    checkUrl(options.url);
    this.opts = resolveOptions(options);
    const client = new ServiceClient(options.url, options.token, this.opts.maxResponseBytes);
    const onError = options.onError;
    this.core = new ClusterCore<OutgoingEntry>(
      {
        encodePublish: (message) => this.encodePublish(message),
        encodeControl: (command) => ({ kind: 'control', command }),
        send: (entry) => this.outgoing.push(entry),
        pending: () => this.outgoing.pendingMessages,
      },
      {
        kind: this.kind,
        // The service assigns history offsets and echoes each history publish back to this node.
        historyFromLink: true,
        debugNamespace: 'firetower:topic-service:broker',
        maxBufferedPublishes: this.opts.maxBufferedPublishes,
        ...(onError ? { onError: (error: Error) => onError(error as TopicServiceClientError) } : {}),
      },
    );
    this.core.onState(() => this.waiters.settle());
    const health = new LinkHealth(this.opts.reportAfterMs, this.core);
    this.outgoing = new OutgoingQueue(this.opts.flushIntervalMs);
    this.link = new ServiceLink(this.opts, this.core, client, this.outgoing, health, options.nodeId ?? '');
    this.registration = new Registration(this.link);
    this.linkLoops = new LinkLoops(this.link, this.registration);
  }

  /** The state under this broker's older names (see `TopicServiceBrokerState`). */
  get currentState(): TopicServiceBrokerState {
    return LEGACY_STATE[this.core.state];
  }

  /** The core's state. */
  get state(): BrokerState {
    return this.core.state;
  }

  private get waiters(): ConditionWaiters {
    return this.link.waiters;
  }

  /** Messages the service dropped for this node because its outbox overflowed (drop-oldest). */
  get droppedInbound(): number {
    return this.link.inbox.droppedTotal;
  }

  /**
   * Registers, waiting at most `startTimeoutMs`: a node whose service is down at boot still
   * starts and serves its local clients; it joins the cluster as soon as the service answers.
   */
  async start(node: BrokerNode): Promise<void> {
    this.core.attach(node);
    if (!this.link.nodeId) this.link.nodeId = node.nodeId;
    const first = this.registration.ensure();
    this.loops = this.linkLoops.run();
    // The wait ends with the registration, a close, or the timeout; its timer never outlives it.
    const registered = first.then(
      () => undefined,
      () => undefined,
    );
    await withDeadline(this.opts.startTimeoutMs, this.link.closer.signal, (wait) => Promise.race([registered, aborted(wait.signal)]));
  }

  updateLocalCounts(changes: readonly TopicCount[]): void {
    if (this.isClosed()) return;
    for (const { topic, count } of changes) this.outgoing.setCount(topic, count);
  }

  /**
   * Queued like count changes (the latest per topic and member) and sent right after them, ahead
   * of publishes: the service learns the node's subscribers of a topic before its members there.
   */
  updatePresence(updates: readonly PresenceUpdate[]): void {
    if (this.isClosed()) return;
    for (const { topic, memberId, info, connections } of updates) this.outgoing.setPresence({ topic, memberId, info, connections });
  }

  /**
   * The topic's members, cluster-wide (`GET /v1/topics/:topic/presence`), within
   * `historyTimeoutMs`. This node's own changes made before the call reach the service first
   * (read-your-writes). Rejects like `history()`: `unreachable` at once while the link is known
   * to be down, `timeout`, `network`, `bad_response`, or the service's refusal (`not_found` from
   * a service older than presence). Never answered from anything local.
   */
  async presence(topic: string, limit: number): Promise<{ members: PresenceEntry[]; total: number }> {
    this.core.running('presence');
    if (this.core.state === 'degraded') throw new TopicServiceClientError('unreachable', 'presence: the topic service is unreachable');
    await this.presenceSettled();
    try {
      return await fetchPresence(this.link.client, topic, limit, this.link.closer.signal, this.opts.historyTimeoutMs);
    } catch (error) {
      if (this.isClosed()) throw this.core.lifecycleError('broker_closed', 'presence');
      throw error;
    }
  }

  /**
   * Delivers to local subscribers synchronously, then queues the message for the service, which
   * relays it to the other nodes with subscribers (never back to this one). One caller's
   * publishes thus reach every node in call order. A keyed message's key rides in the same
   * batch, so the service records it without a round trip of its own.
   *
   * A history publish (`message.history`) is not delivered locally at the call: the service
   * appends it to the topic's stream and relays it with its position to every node with
   * subscribers, this one included, so every node delivers one stream in offset order. Its
   * policy is clamped to the service's bounds (`HISTORY_LIMITS`: 10,000 publications, 7 days).
   * It resolves once the service took it (so a `history()` on any node sees it), or at once while
   * the link is known to be down (it is buffered), and after `historyTimeoutMs` at the latest.
   */
  publish(message: BrokerMessage): Promise<void> {
    const accepted = this.core.publish(message);
    if (message.history === undefined) return accepted;
    const seq = this.outgoing.lastSeq;
    return accepted.then(() => this.sentThrough(seq));
  }

  private encodePublish(message: BrokerMessage): OutgoingEntry {
    const wire: WirePublish = { topic: message.topic, data: message.data };
    if (message.exclude !== undefined) wire.exclude = message.exclude;
    if (message.idempotencyKey !== undefined && this.link.keyTtlMs() > 0) wire.key = wireKey(message.idempotencyKey);
    if (message.history !== undefined) wire.history = wirePolicy(message.history);
    return { kind: 'message', message: wire };
  }

  /** Applied locally at the call, then queued for the service (commands are never refused). */
  control(command: ControlCommand): Promise<void> {
    return this.core.control(command);
  }

  /**
   * Claims made in one event-loop turn share one `POST /v1/claims`. Rejects (never hangs) when
   * the link is known to be down, the request fails or `claimTimeoutMs` passes; the node then
   * treats the key as fresh. With `dedupeWindowMs` 0 nothing is recorded, so every key is fresh.
   */
  async claimKey(key: string): Promise<boolean> {
    if (!this.core.isRunning()) {
      throw new TopicServiceClientError('not_running', `claimKey: the topic-service broker is ${this.currentState}`);
    }
    if (this.link.keyTtlMs() <= 0) return true;
    if (this.core.state === 'degraded') {
      throw new TopicServiceClientError('unreachable', 'claimKey: the topic service is unreachable');
    }
    return this.claims.claim(wireKey(key));
  }

  /**
   * Read a topic's stream at the service (`POST /v1/history`), within `historyTimeoutMs`. Rejects
   * with a `BrokerLifecycleError` (`broker_not_started`, `broker_closed`) outside start..close or
   * when the broker closes meanwhile, and with a `TopicServiceClientError`: `unreachable` at once
   * while the link is known to be down (a node then answers its subscriber without a replay rather
   * than wait), `timeout`, `network`, `bad_response`, or the service's refusal (`not_found` from a
   * service older than history). A read is never served from anything local: the service is the
   * only one that knows the stream.
   */
  async history(topic: string, query: HistoryQuery): Promise<HistoryRead> {
    this.core.running('history');
    if (this.core.state === 'degraded') throw new TopicServiceClientError('unreachable', 'history: the topic service is unreachable');
    // Read-your-writes: this node's publishes made before the call reach the service first, and
    // so does its count of the topic: once the service knows this node has subscribers, every
    // publish appended after the read is relayed here (a subscribe reads with no gap).
    await this.sentThrough(this.outgoing.lastSeq, topic);
    try {
      return await fetchHistory(this.link.client, historyRequest(topic, query), this.link.closer.signal, this.opts.historyTimeoutMs);
    } catch (error) {
      if (this.isClosed()) throw this.core.lifecycleError('broker_closed', 'history');
      throw error;
    }
  }

  /** Read-your-writes: waits until this node's pending count changes reached the service. */
  async count(topic: string): Promise<number> {
    try {
      await this.countsSettled();
      const res = await this.link.call('GET', `/v1/topics/${encodeURIComponent(topic)}`, topicReply);
      return res.count;
    } catch (error) {
      debug('count(%s) falls back to local: %s', topic, (error as Error).message);
      return this.core.localCount(topic);
    }
  }

  async topics(): Promise<TopicCount[]> {
    try {
      await this.countsSettled();
      return (await this.link.call('GET', '/v1/topics', topicsReply)).topics;
    } catch (error) {
      debug('topics() falls back to local: %s', (error as Error).message);
      return this.core.localTopics();
    }
  }

  async status(): Promise<TopicServiceBrokerStatus> {
    const status: TopicServiceBrokerStatus = {
      // The core's problem is always one of ours: only LinkHealth raises it.
      ...(this.core.status(this.core.state === 'connected' && this.core.problem === undefined) as Omit<TopicServiceBrokerStatus, 'state'>),
      state: this.currentState,
    };
    if (this.core.state === 'connected') {
      try {
        const { nodes } = await this.link.call('GET', '/v1/nodes', nodesReply, undefined, 2000);
        status.nodes = nodes.map((n) => ({ nodeId: n.nodeId, lagMs: n.lagMs, topics: n.topics }));
      } catch {
        // status stays useful without the node list
      }
    }
    return status;
  }

  /**
   * Flushes what is buffered (for up to 1 s while connected), leaves the cluster (the service
   * drops this node's counts at once) and stops both loops. Publishes still buffered are dropped.
   */
  async close(): Promise<void> {
    if (this.isClosed()) return;
    if (this.core.state === 'connected') await this.drained(1000);
    const wasRegistered = this.core.state === 'connected' || this.core.state === 'degraded';
    this.core.setState('closed');
    this.link.closer.abort();
    this.outgoing.wake();
    this.waiters.settle(true);
    this.claims.rejectPending(new TopicServiceClientError('not_running', 'claimKey: the topic-service broker closed'));
    await Promise.allSettled(this.loops);
    if (wasRegistered) {
      const path = `${this.link.nodePath('')}?epoch=${encodeURIComponent(this.link.epoch)}`;
      await withDeadline(1000, undefined, (d) => this.link.client.request('DELETE', path, undefined, d.signal, okReply)).catch(() => undefined);
    }
  }

  private isClosed(): boolean {
    return this.core.isClosed();
  }

  // ---- read-your-writes waits ----

  /**
   * Resolves when the entries up to `seq` (and the count change of `topic`, if any) reached the
   * service (or were given up), at once while the link is known to be down (they wait in the
   * buffer) or the broker closes, and after `historyTimeoutMs` at the latest. While
   * (re)registering it waits: the link is coming up.
   */
  private sentThrough(seq: number, topic?: string): Promise<void> {
    const sent = () => !this.outgoing.holdsThrough(seq) && (topic === undefined || !this.outgoing.holdsCount(topic));
    return this.waiters.until(() => this.core.state === 'degraded' || this.isClosed() || sent(), this.opts.historyTimeoutMs);
  }

  /** Resolves when this node's count and presence changes reached the service (bounded wait; never while unreachable). */
  private presenceSettled(): Promise<void> {
    return this.waiters.until(
      () =>
        this.core.state === 'degraded' ||
        this.isClosed() ||
        (this.core.state === 'connected' && this.outgoing.pendingCounts === 0 && this.outgoing.pendingPresence === 0),
      2000,
    );
  }

  /** Resolves when this node's count changes reached the service (bounded wait; never while unreachable). */
  private countsSettled(): Promise<void> {
    return this.waiters.until(() => this.core.state === 'degraded' || (this.core.state === 'connected' && this.outgoing.pendingCounts === 0), 2000);
  }

  private drained(timeoutMs: number): Promise<void> {
    return this.waiters.until(() => this.outgoing.isEmpty(), timeoutMs);
  }
}
