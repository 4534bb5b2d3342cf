/**
 * The Redis broker: one command connection (PUBLISH, count scripts) and one subscriber
 * connection (topic channels with local interest, plus the control channel).
 *
 * Publishes are delivered to this node's own subscribers synchronously, at the call, and
 * PUBLISHed once for the other nodes; a node drops its own echo. That keeps one publisher's
 * messages in call order everywhere (local: call order; remote: one connection's PUBLISH order,
 * which Redis preserves) and keeps local delivery working while Redis is away.
 */
import createDebug from 'debug';
import { createClient } from 'redis';
import {
  type Broker,
  type BrokerMessage,
  type BrokerNode,
  BrokerOverflowError,
  type BrokerStatus,
  type ControlCommand,
  type TopicCount,
} from '@firetower/server';
import { RedisBrokerError } from './errors.js';
import { claim, recordKey, recordWindowMs } from './idempotency.js';
import { InterestSync } from './interest-sync.js';
import { RedisKeys } from './keys.js';
import { type RedisBrokerOptions, type ResolvedOptions, resolveOptions } from './options.js';
import { Outbox, type OutboxEntry } from './outbox.js';
import { type Client, COUNT, HEARTBEAT, LEAVE, NODES, pairs, runScript, TOPICS } from './scripts.js';
import { decodeControl, DeliveryCodec, encodeControl } from './wire.js';

const debug = createDebug('firetower:redis');

/**
 * `created` → `starting` (first connect) → `ready` ⇄ `degraded` (command link down: publishes
 * are buffered) → `closing` → `closed`.
 */
export type RedisBrokerState = 'created' | 'starting' | 'ready' | 'degraded' | 'closing' | 'closed';

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

const RESOLVED: Promise<void> = Promise.resolve();

export class RedisBroker implements Broker {
  readonly kind = 'redis';
  private state: RedisBrokerState = 'created';
  private linked: Linked | undefined;
  private readonly options: ResolvedOptions;
  private readonly keys: RedisKeys;
  private readonly outbox: Outbox;

  constructor(options?: RedisBrokerOptions) {
    this.options = resolveOptions(options);
    this.keys = new RedisKeys(this.options.keyPrefix);
    this.outbox = new Outbox(this.options.maxBufferedPublishes, this.options.maxBufferedBytes);
  }

  /** The broker's lifecycle state (for logs and tests). */
  get brokerState(): RedisBrokerState {
    return this.state;
  }

  private setState(next: RedisBrokerState): void {
    if (next === this.state) return;
    debug('state %s -> %s', this.state, next);
    this.state = next;
  }

  async start(node: BrokerNode): Promise<void> {
    if (this.state !== 'created') throw new RedisBrokerError('broker_closed', `cannot start a broker in state ${this.state}`);
    const { url, clientOptions, maxReconnectDelayMs, leaseMs } = this.options;
    const pub: Client = createClient({
      ...clientOptions,
      url,
      socket: {
        reconnectStrategy: (retries: number) => Math.min(50 * 2 ** Math.min(retries, 10), maxReconnectDelayMs),
        ...clientOptions.socket,
      },
    });
    const sub = pub.duplicate();
    const codec = new DeliveryCodec(node.nodeId);
    const sync = new InterestSync({
      node,
      keys: this.keys,
      leaseMs,
      pub,
      sub,
      linkReady: () => this.state === 'ready' && sub.isReady,
      onDelivery: (payload, channel) => this.receiveDelivery(payload, channel),
      onControl: (payload) => this.receiveControl(payload),
    });
    const heartbeat = setInterval(() => this.beat(), Math.max(100, Math.floor(leaseMs / 3)));
    heartbeat.unref();
    this.linked = { node, pub, sub, codec, sync, heartbeat, keyWindowMs: recordWindowMs(node.dedupeWindowMs) };
    this.setState('starting');

    pub.on('error', (error: unknown) => this.onLinkError('command', error));
    sub.on('error', (error: unknown) => this.onLinkError('subscriber', error));
    pub.on('ready', () => this.onCommandReady());
    sub.on('ready', () => sync.subscriberReady());

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

  updateLocalCounts(changes: readonly TopicCount[]): void {
    this.linked?.sync.update(changes);
  }

  publish(message: BrokerMessage): Promise<void> {
    const linked = this.linked;
    if (!linked) return Promise.reject(this.closedError());
    const entry: OutboxEntry = { channel: this.keys.topicChannel(message.topic), payload: linked.codec.encode(message) };
    if (message.idempotencyKey !== undefined && linked.keyWindowMs > 0) entry.idempotencyKey = this.keys.idempotency(message.idempotencyKey);
    return this.send(linked, entry, () => linked.node.deliver(message));
  }

  /**
   * True (and the key is recorded for dedupeWindowMs) when no node published with this key or
   * claimed it within the window. Rejects at once while Redis is unreachable, and after
   * `claimTimeoutMs` when it does not answer: the node then treats the key as fresh.
   */
  claimKey(key: string): Promise<boolean> {
    const linked = this.linked;
    if (!linked || this.state === 'closing' || this.state === 'closed') return Promise.reject(this.closedError());
    if (linked.keyWindowMs === 0) return Promise.resolve(true);
    if (this.state !== 'ready' || !linked.pub.isReady) {
      return Promise.reject(new RedisBrokerError('not_connected', `cannot claim an idempotency key: Redis is unreachable (broker ${this.state})`));
    }
    return claim(linked.pub, this.keys.idempotency(key), linked.keyWindowMs, this.options.claimTimeoutMs);
  }

  control(command: ControlCommand): Promise<void> {
    const linked = this.linked;
    if (!linked) return Promise.reject(this.closedError());
    const payload = encodeControl({ o: linked.node.nodeId, k: 'control', c: command });
    return this.send(linked, { channel: this.keys.control, payload }, () => linked.node.control(command));
  }

  /** Apply locally first (never blocked by Redis), then PUBLISH or buffer for the cluster. */
  private send(linked: Linked, entry: OutboxEntry, applyLocally: () => void): Promise<void> {
    switch (this.state) {
      case 'ready':
        applyLocally();
        this.relay(linked, entry);
        return RESOLVED;
      case 'starting':
      case 'degraded':
        // The idempotency key stays with its buffered publish: recording it now is impossible,
        // and recording it at flush keeps "key visible wherever the message is".
        if (!this.outbox.offer(entry)) {
          return Promise.reject(new BrokerOverflowError(`redis broker buffer is full (${this.outbox.size} messages held while Redis is unreachable)`));
        }
        applyLocally();
        return RESOLVED;
      default:
        return Promise.reject(this.closedError());
    }
  }

  async count(topic: string): Promise<number> {
    const linked = await this.readable();
    if (!linked.connected) return linked.node.localCounts().find((entry) => entry.topic === topic)?.count ?? 0;
    const reply = await runScript(linked.pub, COUNT, [this.keys.nodes], [this.keys.nodeHashPrefix, topic]);
    return typeof reply === 'number' ? reply : 0;
  }

  async topics(): Promise<TopicCount[]> {
    const linked = await this.readable();
    const result: TopicCount[] = [];
    if (!linked.connected) {
      for (const entry of linked.node.localCounts()) if (entry.count > 0) result.push({ topic: entry.topic, count: entry.count });
    } else {
      const reply = await runScript(linked.pub, TOPICS, [this.keys.nodes], [this.keys.nodeHashPrefix]);
      for (const [topic, count] of pairs(reply, 2)) {
        if (typeof topic === 'string' && typeof count === 'number' && count > 0) result.push({ topic, count });
      }
    }
    return result.sort((a, b) => b.count - a.count || (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0));
  }

  async status(): Promise<BrokerStatus> {
    const linked = this.linked;
    const connected = this.state === 'ready' && linked !== undefined && linked.sub.isReady;
    const status: BrokerStatus = {
      kind: this.kind,
      connected,
      pendingPublishes: this.outbox.size,
      droppedPublishes: this.outbox.refusedCount,
    };
    if (connected) {
      try {
        const reply = await runScript(linked.pub, NODES, [this.keys.nodes, this.keys.beats], [this.keys.nodeHashPrefix]);
        status.nodes = pairs(reply, 3).flatMap(([nodeId, lagMs, topics]) =>
          typeof nodeId === 'string' && typeof lagMs === 'number' && typeof topics === 'number' ? [{ nodeId, lagMs, topics }] : [],
        );
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
    if (this.state === 'closing' || this.state === 'closed') return;
    await this.shutdown(this.state === 'ready');
  }

  private async shutdown(graceful: boolean): Promise<void> {
    this.setState('closing');
    const linked = this.linked;
    if (linked) {
      clearInterval(linked.heartbeat);
      linked.sync.close();
      await linked.sync.settle();
      if (graceful) {
        try {
          const keys = [this.keys.nodes, this.keys.beats, this.keys.nodeHash(linked.node.nodeId)];
          await runScript(linked.pub, LEAVE, keys, [linked.node.nodeId, this.keys.control]);
        } catch (error) {
          debug('leave failed (counts will expire with the lease): %O', error);
        }
      }
      const dropped = this.outbox.drain().length;
      if (dropped > 0) debug('close: dropped %d buffered publishes', dropped);
      await Promise.all([endClient(linked.pub, graceful), endClient(linked.sub, graceful)]);
    }
    this.setState('closed');
  }

  /**
   * Reads ask Redis and see this node's own latest counts (its pending writes settle first).
   * While Redis is unreachable they answer from this node's local counts (`connected: false`).
   */
  private async readable(): Promise<Linked & { connected: boolean }> {
    const linked = this.linked;
    if (!linked || this.state === 'closing' || this.state === 'closed' || this.state === 'created') throw this.closedError();
    if (this.state !== 'ready') return { ...linked, connected: false };
    await linked.sync.settle();
    return { ...linked, connected: this.state === 'ready' };
  }

  private closedError(): RedisBrokerError {
    return new RedisBrokerError('broker_closed', `redis broker is ${this.state}`);
  }

  private receiveDelivery(payload: string, channel: string): void {
    const linked = this.linked;
    // A throw here would land inside node-redis's reply parser; contain everything.
    try {
      if (!linked || linked.codec.isOwn(payload)) return;
      const topic = this.keys.topicOf(channel);
      const decoded = DeliveryCodec.decode(payload);
      if (topic === undefined || decoded === undefined) {
        debug('dropped a malformed delivery on %s', channel);
        return;
      }
      linked.node.deliver(decoded.exclude === undefined ? { topic, data: decoded.data } : { topic, data: decoded.data, exclude: decoded.exclude });
    } catch (error) {
      debug('delivery failed on %s: %O', channel, error);
    }
  }

  private receiveControl(payload: string): void {
    const linked = this.linked;
    try {
      const envelope = decodeControl(payload);
      if (!linked || !envelope) {
        if (!envelope) debug('dropped a malformed control message');
        return;
      }
      if (envelope.o === linked.node.nodeId) return; // already applied locally at the call
      if (envelope.k === 'control') linked.node.control(envelope.c);
      else linked.node.countsChanged?.(envelope.t);
    } catch (error) {
      debug('control message failed: %O', error);
    }
  }

  /** The command link is (back) up: flush the outage buffer in order, then resync counts. */
  private onCommandReady(): void {
    const linked = this.linked;
    if (!linked || (this.state !== 'starting' && this.state !== 'degraded')) return;
    this.setState('ready');
    const buffered = this.outbox.drain();
    if (buffered.length > 0) debug('flushing %d buffered publishes', buffered.length);
    for (const entry of buffered) this.relay(linked, entry);
    linked.sync.requestFullWrite();
    linked.sync.kick();
  }

  private onLinkError(link: 'command' | 'subscriber', error: unknown): void {
    debug('%s link error: %O', link, error);
    if (link === 'command' && this.state === 'ready' && this.linked && !this.linked.pub.isReady) this.setState('degraded');
  }

  /**
   * One PUBLISH, auto-pipelined by node-redis with everything else issued in the same tick.
   * `sendCommand` skips the typed command builder, which measured about twice as fast here.
   * A keyed publish first SETs its idempotency key on the same connection, in the same batch.
   */
  private relay(linked: Linked, { channel, payload, idempotencyKey }: OutboxEntry): void {
    if (idempotencyKey !== undefined) recordKey(linked.pub, idempotencyKey, linked.keyWindowMs);
    linked.pub.sendCommand(['PUBLISH', channel, payload]).catch(this.onLostPublish);
  }

  /** A PUBLISH in flight when the link dropped: Redis may or may not have relayed it. */
  private readonly onLostPublish = (error: unknown): void => {
    debug('a publish in flight was lost with the connection: %O', error);
  };

  private beat(): void {
    const linked = this.linked;
    if (!linked || this.state !== 'ready') return;
    const keys = [this.keys.nodes, this.keys.beats, this.keys.nodeHash(linked.node.nodeId)];
    const args = [linked.node.nodeId, String(this.options.leaseMs), this.keys.nodeHashPrefix, this.keys.control];
    runScript(linked.pub, HEARTBEAT, keys, args).then(
      (lapsed) => {
        if (lapsed !== 1) return;
        debug('lease had lapsed; rewriting this node counts');
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

async function endClient(client: Client, graceful: boolean): Promise<void> {
  try {
    if (graceful && client.isReady) await client.close();
    else if (client.isOpen) client.destroy();
  } catch (error) {
    debug('closing a connection failed: %O', error);
  }
}

/** True when the promise fulfilled within `ms`; false on timeout or rejection. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true, () => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
