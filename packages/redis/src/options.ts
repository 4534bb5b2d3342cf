import type { RedisClientOptions } from 'redis';
import { RedisBrokerError } from './errors.js';

/** node-redis connection options the broker passes through. */
export type RedisConnectionOptions = Omit<
  RedisClientOptions,
  'url' | 'RESP' | 'modules' | 'functions' | 'scripts' | 'typeMapping' | 'clientSideCache' | 'legacyMode'
>;

export interface RedisBrokerOptions {
  /**
   * Redis URL (`redis://[[user]:password@]host[:port][/db]`, `rediss://` for TLS).
   * @default 'redis://127.0.0.1:6379'
   * @example redisBroker({ url: process.env.REDIS_URL })
   */
  url?: string;
  /**
   * Prefix of every key and channel this broker uses. Clusters sharing one Redis must use the
   * same prefix; unrelated clusters on one Redis must use different ones.
   * @default 'firetower:'
   */
  keyPrefix?: string;
  /**
   * How long a node's counts outlive its last heartbeat. A node that dies without closing
   * (crash, partition) has its counts vanish from `count()`/`topics()` after this long.
   * Heartbeats are sent every `leaseMs / 3`.
   * @default 10_000
   */
  leaseMs?: number;
  /**
   * Publishes (and control commands) held in memory while Redis is unreachable. When full,
   * `publish()` rejects with `BrokerOverflowError` and the message is not delivered anywhere.
   * @default 10_000
   */
  maxBufferedPublishes?: number;
  /**
   * Total size (UTF-16 code units of the wire payloads) the outage buffer may hold.
   * @default 16 * 1024 * 1024
   */
  maxBufferedBytes?: number;
  /**
   * How long `start()` waits for the first connection. If Redis is not there by then, `start()`
   * resolves anyway: the node serves its local clients, buffers publishes and joins the cluster
   * when Redis answers (node-redis keeps retrying).
   * @default 5_000
   */
  startTimeoutMs?: number;
  /**
   * Longest wait between reconnect attempts after Redis went away (attempts back off from
   * 50 ms up to this).
   * @default 2_000
   */
  maxReconnectDelayMs?: number;
  /**
   * Longest wait for Redis to answer a `claimKey` (an idempotency check for a re-sent
   * publish). On timeout the claim rejects and the node treats the key as fresh, so a slow
   * Redis can cause a duplicate delivery but never a stuck publish.
   * @default 1_000
   */
  claimTimeoutMs?: number;
  /**
   * Longest wait for a `history` read (the node's pending subscriptions settle first, then one
   * script round trip). On timeout the read rejects with `RedisBrokerError` `history_failed`.
   * @default 2_000
   */
  historyTimeoutMs?: number;
  /**
   * Longest wait for a `presence` read (the node's pending presence writes settle first, then one
   * script round trip). On timeout, an error reply or a lost connection the read rejects with
   * `RedisBrokerError` `presence_failed` (while Redis is known to be unreachable the read answers
   * this node's own members instead).
   * @default 2_000
   */
  presenceTimeoutMs?: number;
  /**
   * Extra node-redis client options (TLS, username/password, socket settings) merged under
   * `url`. The broker sets `socket.reconnectStrategy` itself unless you pass one. Options that
   * change the reply shapes (RESP version, type mapping, modules) are not accepted.
   * @default {}
   */
  clientOptions?: RedisConnectionOptions;
}

export interface ResolvedOptions {
  url: string;
  keyPrefix: string;
  leaseMs: number;
  maxBufferedPublishes: number;
  maxBufferedBytes: number;
  startTimeoutMs: number;
  maxReconnectDelayMs: number;
  claimTimeoutMs: number;
  historyTimeoutMs: number;
  presenceTimeoutMs: number;
  clientOptions: RedisConnectionOptions;
}

function positiveInteger(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw new RedisBrokerError('invalid_option', `${name} must be an integer >= ${min}, got ${String(value)}`);
  }
  return value;
}

export function resolveOptions(options: RedisBrokerOptions = {}): ResolvedOptions {
  const keyPrefix = options.keyPrefix ?? 'firetower:';
  if (typeof keyPrefix !== 'string') {
    throw new RedisBrokerError('invalid_option', 'keyPrefix must be a string');
  }
  return {
    url: options.url ?? 'redis://127.0.0.1:6379',
    keyPrefix,
    // Below ~300 ms the heartbeat (lease / 3) would hammer Redis and false expiries get likely.
    leaseMs: positiveInteger('leaseMs', options.leaseMs ?? 10_000, 300),
    maxBufferedPublishes: positiveInteger('maxBufferedPublishes', options.maxBufferedPublishes ?? 10_000, 0),
    maxBufferedBytes: positiveInteger('maxBufferedBytes', options.maxBufferedBytes ?? 16 * 1024 * 1024, 0),
    startTimeoutMs: positiveInteger('startTimeoutMs', options.startTimeoutMs ?? 5_000, 0),
    maxReconnectDelayMs: positiveInteger('maxReconnectDelayMs', options.maxReconnectDelayMs ?? 2_000, 1),
    claimTimeoutMs: positiveInteger('claimTimeoutMs', options.claimTimeoutMs ?? 1_000, 1),
    historyTimeoutMs: positiveInteger('historyTimeoutMs', options.historyTimeoutMs ?? 2_000, 1),
    presenceTimeoutMs: positiveInteger('presenceTimeoutMs', options.presenceTimeoutMs ?? 2_000, 1),
    clientOptions: options.clientOptions ?? {},
  };
}
