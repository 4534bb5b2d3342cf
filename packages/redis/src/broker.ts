/**
 * The Redis broker: one command connection (PUBLISH, count scripts) and one subscriber
 * connection (topic channels with local interest, plus the control channel).
 *
 * Publishes are delivered to this node's own subscribers synchronously, at the call, and
 * PUBLISHed once for the other nodes; a node drops its own echo. That keeps one publisher's
 * messages in call order everywhere (local: call order; remote: one connection's PUBLISH order,
 * which Redis preserves) and keeps local delivery working while Redis is away.
 *
 * History publishes (`message.history`) are the exception: one script in Redis assigns the offset,
 * stores the publication and PUBLISHes it (`history.ts`), and every node with subscribers,
 * this one included, delivers it from the channel with its position. Only Redis knows the offset,
 * so only that echo can carry it; the core skips local-first delivery for them (`historyFromLink`).
 *
 * Presence (`updatePresence`) is written by the interest sync's rounds (`presence-sync.ts`); the
 * scripts compute the cluster-wide transitions and PUBLISH them on the topic's channel, where
 * every node with subscribers of the topic, this one included, hands them to `presenceChanged`.
 */
import createDebug from 'debug';
import {
  type Broker,
  type BrokerCapabilities,
  type BrokerMessage,
  type BrokerNode,
  type BrokerState,
  type BrokerStatus,
  ClusterCore,
  type ControlCommand,
  type HistoryQuery,
  type HistoryRead,
  type PresenceEntry,
  type PresenceUpdate,
  sortTopics,
  type TopicCount,
} from '@firetower/server';
import { createConnections, endClient, redactUrl, settlesWithin } from './connections.js';
import { RedisBrokerError } from './errors.js';
import { HISTORY_APPEND, type HistoryAppend } from './history.js';
import { HistoryLink } from './history-link.js';
import { claim, recordKey, recordWindowMs } from './idempotency.js';
import { Inbound } from './inbound.js';
import { heartbeat, leave, liveNodes } from './lease.js';
import { presenceWithin } from './presence.js';
import { InterestSync } from './interest-sync.js';
import { RedisKeys } from './keys.js';
import { type RedisBrokerOptions, type ResolvedOptions, resolveOptions } from './options.js';
import { type Client, COUNT, pairs, runScript, TOPICS } from './scripts.js';
import { DeliveryCodec, encodeControl } from './wire.js';

const debug = createDebug('firetower:redis');

/**
 * `created` → `starting` (first connect) → `ready` ⇄ `degraded` (command link down: publishes
 * are buffered) → `closing` → `closed`: the core's `BrokerState` under this broker's older names
 * (`new` is `created`, `connected` is `ready`), kept for `brokerState`.
 */
export type RedisBrokerState = 'created' | 'starting' | 'ready' | 'degraded' | 'closing' | 'closed';

const LEGACY_STATE: Record<BrokerState, RedisBrokerState> = {
  new: 'created',
  starting: 'starting',
  connected: 'ready',
  degraded: 'degraded',
  closing: 'closing',
  closed: 'closed',
};

/** What waits in the core's outage buffer: one PUBLISH, or one history append (which PUBLISHes). */
interface OutboxEntry {
  channel: string;
  /** The PUBLISH payload; for a history append, the data (the script builds the header). */
  payload: string;
  /** Set for a history publish: it is sent as `HISTORY_APPEND` rather than a PUBLISH. */
  history?: HistoryAppend;
  /**
   * The Redis key recording the publish's idempotency key, SET just before the PUBLISH when the
   * entry is sent (so the key is visible wherever the message is).
   */
  idempotencyKey?: string;
}

interface Linked {
  node: BrokerNode;
  pub: Client;
  sub: Client;
  codec: DeliveryCodec;
  sync: InterestSync;
  heartbeat: NodeJS.Timeout;
  /** The node's dedupeWindowMs as a Redis PX value; 0 = idempotency keys are not recorded. */
  keyWindowMs: number;
}

export class RedisBroker implements Broker {
  readonly kind = 'redis';
  /** Every node hears of every count change: a node's count writes are announced on the control channel. */
  readonly capabilities: BrokerCapabilities = { reportsEveryCountChange: true };
  private linked: Linked | undefined;
  private readonly options: ResolvedOptions;
  private readonly keys: RedisKeys;
  /**
   * The lifecycle, local-first delivery and the outage buffer. The transport: a publish or command
   * becomes one PUBLISH, relayed at once while `connected`, else buffered in call order.
   */
  private readonly core: ClusterCore<OutboxEntry>;
  /** History publishes and reads (`history-link.ts`). */
  private readonly historyLink: HistoryLink;

  constructor(options?: RedisBrokerOptions) {
    this.options = resolveOptions(options);
    this.keys = new RedisKeys(this.options.keyPrefix);
    this.core = new ClusterCore<OutboxEntry>(
      {
        encodePublish: (message) => this.encodePublish(message),
        encodeControl: (command, node) => ({ channel: this.keys.control, payload: encodeControl({ o: node.nodeId, k: 'control', c: command }) }),
        send: (entry) => this.relay(entry),
        sizeOf: (entry) => entry.payload.length + (entry.idempotencyKey?.length ?? 0),
      },
      {
        kind: this.kind,
        debugNamespace: 'firetower:redis',
        // History publishes reach this node through the channel, with the offset Redis gave them.
        historyFromLink: true,
        maxBufferedPublishes: this.options.maxBufferedPublishes,
        maxBufferedBytes: this.options.maxBufferedBytes,
      },
    );
    this.historyLink = new HistoryLink({
      keys: this.keys,
      timeoutMs: this.options.historyTimeoutMs,
      core: this.core,
      connections: () => this.linked,
    });
  }

  /** The broker's lifecycle state under this broker's names (for logs and tests); `state` is the core's. */
  get brokerState(): RedisBrokerState {
    return LEGACY_STATE[this.core.state];
  }

  get state(): BrokerState {
    return this.core.state;
  }

  async start(node: BrokerNode): Promise<void> {
    this.core.attach(node);
    try {
      this.linked = this.link(node);
    } catch (error) {
      this.core.setState('closed');
      throw error;
    }
    const { pub, sub, sync } = this.linked;
    const { url } = this.options;
    // node-redis retries the first connection forever; we wait for it only so long, then go on
    // buffering (a Redis blip at deploy time must not leave the node refusing every client).
    const connecting = Promise.all([pub.connect(), sub.connect()]);
    connecting.catch((error: unknown) => debug('connect ended: %O', error));
    if (await settlesWithin(connecting, this.options.startTimeoutMs)) {
      // Both links are up: the first round subscribes the control channel and registers the node.
      sync.kick();
      await sync.settle();
    } else {
      debug('Redis at %s not reachable within %d ms; starting degraded, still trying', redactUrl(url), this.options.startTimeoutMs);
    }
  }

  /** The two connections and what runs on them; nothing connects yet. */
  private link(node: BrokerNode): Linked {
    const { leaseMs } = this.options;
    const { pub, sub } = createConnections(this.options);
    const codec = new DeliveryCodec(node.nodeId);
    const inbound = new Inbound(node, codec, this.keys);
    const sync = new InterestSync({
      node,
      keys: this.keys,
      leaseMs,
      pub,
      sub,
      linkReady: () => this.core.state === 'connected' && sub.isReady,
      onDelivery: inbound.delivery,
      onControl: inbound.control,
    });
    const heartbeat = setInterval(() => this.beat(), Math.max(100, Math.floor(leaseMs / 3)));
    heartbeat.unref();
    const linked: Linked = { node, pub, sub, codec, sync, heartbeat, keyWindowMs: recordWindowMs(node.dedupeWindowMs) };

    pub.on('error', (error: unknown) => this.onLinkError('command', error));
    sub.on('error', (error: unknown) => this.onLinkError('subscriber', error));
    pub.on('ready', () => this.onCommandReady());
    sub.on('ready', () => sync.subscriberReady());
    return linked;
  }

  updateLocalCounts(changes: readonly TopicCount[]): void {
    this.linked?.sync.update(changes);
  }

  /** Kept (the latest per topic and member) for the next sync round; a reconnect's full rewrite supersedes them. */
  updatePresence(updates: readonly PresenceUpdate[]): void {
    if (this.core.isRunning()) this.linked?.sync.updatePresence(updates);
  }

  /** Cluster-wide, after this node's pending writes; while Redis is unreachable, this node's own members (`presenceWithin`). */
  async presence(topic: string, limit: number): Promise<{ members: PresenceEntry[]; total: number }> {
    this.core.running('presence'); // a lifecycle error as is, not as presence_failed
    const ready = this.readable('presence').then((linked) => (linked.connected ? linked.pub : undefined));
    return presenceWithin(ready, this.keys, topic, limit, () => this.linked?.node.localPresence?.() ?? [], this.options.presenceTimeoutMs);
  }

  /**
   * Deliver to this node's subscribers at the call, then PUBLISH (or buffer while Redis is away).
   * A history publish is appended and PUBLISHed by Redis instead, and resolves once stored (see
   * `HistoryLink.published`).
   */
  publish(message: BrokerMessage): Promise<void> {
    const accepted = this.core.publish(message); // encodes (and relays, when connected) synchronously
    return message.history === undefined ? accepted : this.historyLink.published(accepted);
  }

  /**
   * The idempotency key stays with its publish, buffered or not: recording it while Redis is away
   * is impossible, and recording it at the PUBLISH keeps "key visible wherever the message is".
   */
  private encodePublish(message: BrokerMessage): OutboxEntry {
    const linked = this.linked!; // set in start(), before the core lets a publish through
    const channel = this.keys.topicChannel(message.topic);
    const history = message.history;
    const entry: OutboxEntry =
      history === undefined
        ? { channel, payload: linked.codec.encode(message) }
        : { channel, payload: message.data, history: this.historyLink.encode({ ...message, history }, channel) };
    if (message.idempotencyKey !== undefined && linked.keyWindowMs > 0) entry.idempotencyKey = this.keys.idempotency(message.idempotencyKey);
    return entry;
  }

  /**
   * True (and the key is recorded for dedupeWindowMs) when no node published with this key or
   * claimed it within the window. Rejects at once while Redis is unreachable, and after
   * `claimTimeoutMs` when it does not answer: the node then treats the key as fresh.
   */
  claimKey(key: string): Promise<boolean> {
    const linked = this.linked;
    if (!linked || !this.core.isRunning()) return Promise.reject(this.core.lifecycleError('broker_closed', 'claimKey'));
    if (linked.keyWindowMs === 0) return Promise.resolve(true);
    if (this.core.state !== 'connected' || !linked.pub.isReady) {
      return Promise.reject(new RedisBrokerError('not_connected', `cannot claim an idempotency key: Redis is unreachable (broker ${this.brokerState})`));
    }
    return claim(linked.pub, this.keys.idempotency(key), linked.keyWindowMs, this.options.claimTimeoutMs);
  }

  /** Read a topic's stream, in line with this node's live deliveries (see `HistoryLink.read`). */
  history(topic: string, query: HistoryQuery): Promise<HistoryRead> {
    return this.historyLink.read(topic, query);
  }

  /** Apply locally first (never blocked by Redis), then PUBLISH or buffer for the cluster. */
  control(command: ControlCommand): Promise<void> {
    return this.core.control(command);
  }

  async count(topic: string): Promise<number> {
    const linked = await this.readable('count');
    if (!linked.connected) return this.core.localCount(topic);
    const reply = await runScript(linked.pub, COUNT, [this.keys.nodes], [this.keys.nodeHashPrefix, topic]);
    return typeof reply === 'number' ? reply : 0;
  }

  async topics(): Promise<TopicCount[]> {
    const linked = await this.readable('topics');
    if (!linked.connected) return this.core.localTopics();
    const result: TopicCount[] = [];
    const reply = await runScript(linked.pub, TOPICS, [this.keys.nodes], [this.keys.nodeHashPrefix]);
    for (const [topic, count] of pairs(reply, 2)) {
      if (typeof topic === 'string' && typeof count === 'number' && count > 0) result.push({ topic, count });
    }
    return sortTopics(result);
  }

  async status(): Promise<BrokerStatus> {
    const linked = this.linked;
    const connected = this.core.state === 'connected' && linked !== undefined && linked.sub.isReady;
    const status: BrokerStatus = this.core.status(connected);
    if (connected) {
      try {
        status.nodes = await liveNodes(linked.pub, this.keys);
      } catch (error) {
        debug('status: node list unavailable: %O', error);
      }
    }
    return status;
  }

  /**
   * Leave the cluster: this node's counts are removed at once (other nodes are told), pending
   * PUBLISHes already handed to Redis are flushed, and publishes still buffered for an outage
   * are dropped. Idempotent.
   */
  async close(): Promise<void> {
    if (this.core.isClosed()) return;
    await this.shutdown(this.core.state === 'connected');
  }

  private async shutdown(graceful: boolean): Promise<void> {
    this.core.setState('closing');
    const linked = this.linked;
    if (linked) {
      clearInterval(linked.heartbeat);
      linked.sync.close();
      await linked.sync.settle();
      if (graceful) {
        try {
          await leave(linked.pub, this.keys, linked.node.nodeId);
        } catch (error) {
          debug('leave failed (counts and presence go when the lease runs out): %O', error);
        }
      }
      const dropped = this.core.dropBuffered();
      if (dropped > 0) debug('close: dropped %d buffered publishes', dropped);
      await Promise.all([endClient(linked.pub, graceful), endClient(linked.sub, graceful)]);
    }
    this.core.setState('closed');
  }

  /**
   * Reads ask Redis and see this node's own latest counts (its pending writes settle first).
   * While Redis is unreachable they answer from this node's local counts (`connected: false`).
   */
  private async readable(operation: string): Promise<Linked & { connected: boolean }> {
    this.core.running(operation);
    const linked = this.linked!;
    if (this.core.state !== 'connected') return { ...linked, connected: false };
    await linked.sync.settle();
    return { ...linked, connected: this.core.state === 'connected' };
  }

  /** The command link is (back) up: flush the outage buffer in order, then resync counts. */
  private onCommandReady(): void {
    const linked = this.linked;
    if (!linked || (this.core.state !== 'starting' && this.core.state !== 'degraded')) return;
    // A restarted Redis has no scripts. Loaded ahead of the flush on the same connection, every
    // append finds its script: no NOSCRIPT retry, which could let a later append overtake it.
    linked.pub.sendCommand(['SCRIPT', 'LOAD', HISTORY_APPEND.source]).catch((error: unknown) => debug('loading the history script failed: %O', error));
    // The core flushes its outage buffer, in order, on the way into `connected`.
    this.core.setState('connected');
    linked.sync.requestFullWrite();
    linked.sync.kick();
  }

  private onLinkError(link: 'command' | 'subscriber', error: unknown): void {
    debug('%s link error: %O', link, error);
    if (link === 'command' && this.core.state === 'connected' && this.linked && !this.linked.pub.isReady) this.core.setState('degraded');
  }

  /**
   * One PUBLISH, auto-pipelined by node-redis with everything else issued in the same tick.
   * `sendCommand` skips the typed command builder, which measured about twice as fast here.
   * A keyed publish first SETs its idempotency key on the same connection, in the same batch.
   */
  private relay({ channel, payload, idempotencyKey, history }: OutboxEntry): void {
    const linked = this.linked;
    if (!linked) return;
    if (idempotencyKey !== undefined) recordKey(linked.pub, idempotencyKey, linked.keyWindowMs);
    if (history === undefined) {
      linked.pub.sendCommand(['PUBLISH', channel, payload]).catch(this.onLostPublish);
      return;
    }
    this.historyLink.send(linked.pub, history);
  }

  /** A PUBLISH in flight when the link dropped: Redis may or may not have relayed it. */
  private readonly onLostPublish = (error: unknown): void => {
    debug('a publish in flight was lost with the connection: %O', error);
  };

  private beat(): void {
    const linked = this.linked;
    if (!linked || this.core.state !== 'connected') return;
    heartbeat(linked.pub, this.keys, linked.node.nodeId, this.options.leaseMs).then(
      ({ lapsed, more }) => {
        if (more) this.beat();
        if (!lapsed) return;
        debug('lease had lapsed; rewriting this node counts and presence');
        linked.sync.requestFullWrite();
        linked.sync.kick();
      },
      (error: unknown) => debug('heartbeat failed: %O', error),
    );
  }
}

/**
 * A broker that shares topics through Redis: pub/sub for deliveries (a channel per topic, only
 * on nodes with local subscribers) and Redis hashes for cluster-wide counts.
 * @example
 * app.use(firetower({ broker: redisBroker({ url: process.env.REDIS_URL }) }));
 */
export function redisBroker(options?: RedisBrokerOptions): RedisBroker {
  return new RedisBroker(options);
}
