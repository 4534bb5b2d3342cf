import { randomBytes } from 'node:crypto';
import createDebug from 'debug';
import type { z } from 'zod';
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
import { monotonicNow } from '../clock.js';
import { TopicServiceClientError } from '../errors.js';
import { controlReply, nodesReply, okReply, pollReply, presenceUpdateReply, publishReply, registerReply, topicReply, topicsReply } from '../replies.js';
import type { WirePublish } from '../wire.js';
import { backoff, sleep } from './backoff.js';
import { checkUrl } from './check-url.js';
import { ClaimBatcher, postClaims, wireKey } from './claims.js';
import { ServiceClient } from './client.js';
import { aborted, withDeadline } from './deadline.js';
import { LinkHealth, type LinkProblem } from './health.js';
import { fetchHistory, historyRequest, wirePolicy } from './history.js';
import { fetchPresence, writeFullPresence } from './presence.js';
import { Inbox } from './inbox.js';
import { resolveOptions, type ResolvedOptions, type TopicServiceBrokerOptions } from './options.js';
import { OutgoingQueue, publishBody, stripKeys, type OutgoingBatch, type OutgoingEntry } from './outgoing.js';
import { ReplayWindow } from './replay.js';
import { ConditionWaiters } from './waiters.js';

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
  private readonly client: ServiceClient;
  private readonly outgoing: OutgoingQueue;
  private readonly closer = new AbortController();
  /** This process: receivers key their dedupe on it, so it must not repeat across nodes or restarts. */
  private readonly epoch = `${Date.now().toString(36)}-${randomBytes(12).toString('base64url')}`;
  /** The service instance of the last registration (undefined before the first). */
  private instance: string | undefined;
  private readonly replay: ReplayWindow;
  private readonly opts: ResolvedOptions;
  private nodeId = '';
  /** Bumped at every successful registration; a result from an older one is ignored. */
  private generation = 0;
  private registration: Promise<number> | undefined;
  private maxBatch: number;
  private readonly inbox = new Inbox(() => this.nodeId);
  private readonly waiters = new ConditionWaiters();
  private readonly claims = new ClaimBatcher((keys) => postClaims(this.client, { ttlMs: this.keyTtlMs(), keys }, this.closer.signal, this.opts.claimTimeoutMs));
  private loops: Promise<void>[] = [];

  private readonly health: LinkHealth;
  /** Consecutive `unknown_node` answers: the re-registration backoff step. */
  private lostStep = 0;
  /** The service's longest poll hold (from registration). */
  private maxWaitMs = Number.POSITIVE_INFINITY;

  constructor(options: TopicServiceBrokerOptions) {
    checkUrl(options.url);
    this.opts = resolveOptions(options);
    this.client = new ServiceClient(options.url, options.token, this.opts.maxResponseBytes);
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
    this.health = new LinkHealth(this.opts.reportAfterMs, this.core);
    this.maxBatch = this.opts.maxBatch;
    this.outgoing = new OutgoingQueue(this.opts.flushIntervalMs);
    this.replay = new ReplayWindow(this.opts.replayWindowMs, this.opts.maxBufferedPublishes);
    this.nodeId = options.nodeId ?? '';
  }

  /** The state under this broker's older names (see `TopicServiceBrokerState`). */
  get currentState(): TopicServiceBrokerState {
    return LEGACY_STATE[this.core.state];
  }

  /** The core's state. */
  get state(): BrokerState {
    return this.core.state;
  }

  private get node(): BrokerNode | undefined {
    return this.core.node;
  }

  /** Messages the service dropped for this node because its outbox overflowed (drop-oldest). */
  get droppedInbound(): number {
    return this.inbox.droppedTotal;
  }

  /**
   * Registers, waiting at most `startTimeoutMs`: a node whose service is down at boot still
   * starts and serves its local clients; it joins the cluster as soon as the service answers.
   */
  async start(node: BrokerNode): Promise<void> {
    this.core.attach(node);
    if (!this.nodeId) this.nodeId = node.nodeId;
    const first = this.ensureRegistered();
    this.loops = [this.sendLoop(), this.pollLoop()];
    // The wait ends with the registration, a close, or the timeout; its timer never outlives it.
    const registered = first.then(
      () => undefined,
      () => undefined,
    );
    await withDeadline(this.opts.startTimeoutMs, this.closer.signal, (wait) => Promise.race([registered, aborted(wait.signal)]));
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
      return await fetchPresence(this.client, topic, limit, this.closer.signal, this.opts.historyTimeoutMs);
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
    if (message.idempotencyKey !== undefined && this.keyTtlMs() > 0) wire.key = wireKey(message.idempotencyKey);
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
    if (this.keyTtlMs() <= 0) return true;
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
      return await fetchHistory(this.client, historyRequest(topic, query), this.closer.signal, this.opts.historyTimeoutMs);
    } catch (error) {
      if (this.isClosed()) throw this.core.lifecycleError('broker_closed', 'history');
      throw error;
    }
  }

  /** Read-your-writes: waits until this node's pending count changes reached the service. */
  async count(topic: string): Promise<number> {
    try {
      await this.countsSettled();
      const res = await this.call('GET', `/v1/topics/${encodeURIComponent(topic)}`, topicReply);
      return res.count;
    } catch (error) {
      debug('count(%s) falls back to local: %s', topic, (error as Error).message);
      return this.core.localCount(topic);
    }
  }

  async topics(): Promise<TopicCount[]> {
    try {
      await this.countsSettled();
      return (await this.call('GET', '/v1/topics', topicsReply)).topics;
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
        const { nodes } = await this.call('GET', '/v1/nodes', nodesReply, undefined, 2000);
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
    this.closer.abort();
    this.outgoing.wake();
    this.waiters.settle(true);
    this.claims.rejectPending(new TopicServiceClientError('not_running', 'claimKey: the topic-service broker closed'));
    await Promise.allSettled(this.loops);
    if (wasRegistered) {
      const path = `/v1/nodes/${encodeURIComponent(this.nodeId)}?epoch=${encodeURIComponent(this.epoch)}`;
      await withDeadline(1000, undefined, (d) => this.client.request('DELETE', path, undefined, d.signal, okReply)).catch(() => undefined);
    }
  }

  // ---- registration ----

  /** The current registration's generation, registering first when needed. */
  private ensureRegistered(): Promise<number> {
    if (this.core.state === 'connected' || this.core.state === 'degraded') return Promise.resolve(this.generation);
    this.registration ??= this.register().finally(() => {
      this.registration = undefined;
    });
    return this.registration;
  }

  private async register(): Promise<number> {
    for (let step = 0; ; step++) {
      this.assertOpen();
      try {
        const body =
          this.instance === undefined ? { nodeId: this.nodeId, epoch: this.epoch } : { nodeId: this.nodeId, epoch: this.epoch, previous: this.instance };
        const reg = await this.call('POST', '/v1/nodes/register', registerReply, body);
        this.client.session = reg.session;
        this.maxBatch = Math.max(1, Math.min(this.opts.maxBatch, reg.maxBatch));
        this.maxWaitMs = reg.maxWaitMs;
        if (this.instance !== undefined && reg.instance !== this.instance) {
          // The service restarted: what it accepted last may have died in its outboxes. Send it
          // again ahead of the buffer; receivers drop the copies they already had.
          const again = this.replay.take();
          debug('%s the service restarted: replaying %d entries', this.nodeId, again.length);
          this.outgoing.requeue(again);
        }
        this.instance = reg.instance;
        // The full set supersedes queued deltas; changes made from here on queue again.
        this.outgoing.clearCounts();
        const all = this.node?.localCounts() ?? [];
        for (let i = 0; i === 0 || i < all.length; i += this.maxBatch) {
          const changes = all.slice(i, i + this.maxBatch);
          await this.call('POST', this.nodePath('/counts'), okReply, { epoch: this.epoch, full: i === 0, changes });
        }
        // Then the full presence (after the counts, so the service relays this node's own
        // transitions to it): what a restarted service lost, rewritten from the node's truth.
        this.outgoing.clearPresence();
        const present = this.node?.localPresence?.();
        if (present !== undefined) {
          await writeFullPresence(present, this.maxBatch, (body) =>
            this.call('POST', this.nodePath('/presence'), presenceUpdateReply, { epoch: this.epoch, ...body }),
          );
        }
        this.assertOpen();
        this.inbox.reset();
        this.generation += 1;
        debug('%s registered (epoch %s, generation %d, %d topics)', this.nodeId, this.epoch, this.generation, all.length);
        this.core.setState('connected');
        this.waiters.settle();
        return this.generation;
      } catch (error) {
        this.assertOpen();
        debug('%s register failed: %s', this.nodeId, (error as Error).message);
        await sleep(backoff(step, this.opts.backoffMinMs, this.opts.backoffMaxMs), this.closer.signal);
      }
    }
  }

  /** The service forgot this node (restart, lease, overflow): register and resync. */
  private lost(generation: number): void {
    if (generation === this.generation && (this.core.state === 'connected' || this.core.state === 'degraded')) {
      debug('%s unknown to the service: resync', this.nodeId);
      this.core.setState('starting');
    }
  }

  // ---- sending ----

  private async sendLoop(): Promise<void> {
    let step = 0;
    while (!this.isClosed()) {
      if (this.outgoing.isEmpty()) {
        this.waiters.settle();
        await this.outgoing.waitForWork();
        continue;
      }
      let generation: number;
      try {
        generation = await this.ensureRegistered();
      } catch {
        return; // closed
      }
      const batch = this.outgoing.peek(this.maxBatch);
      if (!batch) continue;
      try {
        await this.send(batch);
        this.outgoing.commit(batch);
        if (batch.kind === 'messages' || batch.kind === 'control') this.replay.accepted(batch.entries, monotonicNow());
        this.lostStep = 0;
        this.reachable();
        this.waiters.settle();
        step = 0;
      } catch (error) {
        if (this.isClosed()) return;
        step = await this.onFailure(error, generation, step, batch);
      }
    }
  }

  private send(batch: OutgoingBatch): Promise<unknown> {
    const epoch = this.epoch;
    switch (batch.kind) {
      case 'counts':
        return this.call('POST', this.nodePath('/counts'), okReply, { epoch, changes: batch.changes });
      case 'presence':
        return this.call('POST', this.nodePath('/presence'), presenceUpdateReply, { epoch, updates: batch.updates });
      case 'messages':
        return this.call('POST', this.nodePath('/publish'), publishReply, publishBody(epoch, batch.seq, batch.messages, this.keyTtlMs()));
      case 'control':
        return this.call('POST', this.nodePath('/control'), controlReply, { epoch, seq: batch.seq, command: batch.command });
    }
  }

  /** Decide after a failed request; returns the next backoff step. */
  private async onFailure(error: unknown, generation: number, step: number, batch?: OutgoingBatch): Promise<number> {
    const code = error instanceof TopicServiceClientError ? error.code : 'network';
    if (code === 'unknown_node') {
      // Register again, but not in a hot loop: a service that forgets us at once (a fake, a
      // flapping proxy) gets a growing delay; the first one after a real restart costs ~100 ms.
      this.lost(generation);
      await sleep(backoff(this.lostStep++, this.opts.backoffMinMs, this.opts.backoffMaxMs), this.closer.signal);
      return 0;
    }
    if (batch?.kind === 'messages' && code === 'bad_request' && stripKeys(batch.messages)) {
      // A service older than idempotency keys refuses the new fields: keep the messages, lose the keys.
      debug('%s the service refused a keyed batch; resending it without keys: %s', this.nodeId, (error as Error).message);
      return step;
    }
    // A service older than presence has no such endpoint: presence then stays local to each node.
    const refused =
      code === 'bad_request' || code === 'batch_too_large' || code === 'payload_too_large' || (batch?.kind === 'presence' && code === 'not_found');
    if (batch && refused) {
      // The service will never take this batch: drop it rather than block the queue forever.
      debug('%s dropped a %s batch the service refused: %s', this.nodeId, batch.kind, (error as Error).message);
      if (batch.kind === 'messages') this.core.countDropped(batch.messages.length);
      this.outgoing.commit(batch);
      this.waiters.settle();
      return step;
    }
    // Anything but the protocol's own signals means the link does not work right now.
    if (code !== 'poll_in_progress' && code !== 'poll_superseded') this.unreachable();
    debug('%s request failed (%s): %s', this.nodeId, code, (error as Error).message);
    await sleep(backoff(step, this.opts.backoffMinMs, this.opts.backoffMaxMs), this.closer.signal);
    return step + 1;
  }

  // ---- receiving ----

  private async pollLoop(): Promise<void> {
    let step = 0;
    let emptyStep = 0;
    while (!this.isClosed()) {
      let generation: number;
      try {
        generation = await this.ensureRegistered();
      } catch {
        return;
      }
      const path = `${this.nodePath('/poll')}?epoch=${encodeURIComponent(this.epoch)}&ack=${this.inbox.ack}&wait=${this.opts.pollWaitMs}`;
      try {
        const asked = monotonicNow();
        const res = await this.call('GET', path, pollReply, undefined, this.opts.pollWaitMs + this.opts.requestTimeoutMs, (r) => this.inbox.check(r));
        if (generation !== this.generation || this.isClosed()) continue;
        this.inbox.take(res, this.node!);
        this.reachable();
        step = 0;
        if (res.items.length > 0) this.lostStep = 0;
        // A long-poll that comes back empty long before its wait is not the service's behaviour
        // (it holds the request until something is queued): back off instead of spinning.
        const empty = res.items.length === 0 && res.counts.length === 0 && res.dropped === 0;
        if (empty && monotonicNow() - asked < Math.min(this.opts.pollWaitMs, this.maxWaitMs) / 2) {
          await sleep(backoff(emptyStep++, this.opts.backoffMinMs, this.opts.backoffMaxMs), this.closer.signal);
        } else {
          emptyStep = 0;
        }
      } catch (error) {
        if (this.isClosed()) return;
        step = await this.onFailure(error, generation, step);
      }
    }
  }

  // ---- helpers ----

  /** One request under a deadline, its reply checked against `schema`; feeds the link's health. */
  private async call<S extends z.ZodType>(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    schema: S,
    body?: unknown,
    timeoutMs = this.opts.requestTimeoutMs,
    verify?: (answer: z.output<S>) => void,
  ): Promise<z.output<S>> {
    try {
      const answer = await withDeadline(timeoutMs, this.closer.signal, (deadline) => this.client.request(method, path, body, deadline.signal, schema));
      verify?.(answer);
      this.health.ok();
      return answer;
    } catch (error) {
      if (!this.isClosed()) this.health.failed(error);
      throw error;
    }
  }

  /** The node's dedupe window: how long the service keeps this node's keys (0 = keys are off). */
  private keyTtlMs(): number {
    return this.node?.dedupeWindowMs ?? 0;
  }

  private nodePath(suffix: string): string {
    return `/v1/nodes/${encodeURIComponent(this.nodeId)}${suffix}`;
  }

  private reachable(): void {
    if (this.core.state === 'degraded') this.core.setState('connected');
  }

  private unreachable(): void {
    if (this.core.state === 'connected') this.core.setState('degraded');
  }

  private isClosed(): boolean {
    return this.core.isClosed();
  }

  private assertOpen(): void {
    if (this.isClosed()) throw this.core.lifecycleError('broker_closed', 'register');
  }

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
