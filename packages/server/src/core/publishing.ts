/**
 * Publishing into the broker, for server-side publishes (`ft.publish`, `tower.publish`) and client
 * publishes alike: the topic and data checks, the idempotency window, the cluster-wide claim of a
 * keyed publish, the topic's history policy, and what a broker failure means.
 */
import createDebug from 'debug';
import { BrokerOverflowError, type Broker, type BrokerMessage } from '../broker/types.js';
import { FiretowerServerError, requireTopic, toError } from '../errors.js';
import type { ResolvedOptions } from '../options.js';
import type { PublishOptions, PublishResult } from '../types.js';
import type { DedupeWindow } from './dedupe.js';
import type { StatsRecorder } from './stats.js';

const debug = createDebug('firetower:node');

function noop(): void {}
/** Frozen: every publish shares one of the two answers. */
const DELIVERED: PublishResult = Object.freeze({ duplicate: false });
const DUPLICATE: PublishResult = Object.freeze({ duplicate: true });

/** What publishing needs of the node. */
export interface PublishingHost {
  readonly options: Pick<ResolvedOptions<unknown>, 'limits' | 'dedupeWindowMs' | 'history'>;
  readonly broker: Broker;
  readonly dedupe: DedupeWindow;
  readonly stats: StatsRecorder;
  isClosed(): boolean;
  serialise(data: unknown): string;
  reportError(error: unknown): void;
}

export class Publishing {
  /** The last keyed server-side publish waiting for its cluster-wide claim (see publish()). */
  private keyedPublishes: Promise<void> = Promise.resolve();
  private readonly onPublishFailed = (error: unknown): never => {
    if (error instanceof BrokerOverflowError) this.host.stats.drop('broker_overflow', 1, error.message);
    else this.host.reportError(error);
    throw error;
  };

  constructor(private readonly host: PublishingHost) {}

  publish(topic: string, data: unknown, options: PublishOptions = {}): Promise<PublishResult> {
    let json: string;
    try {
      requireTopic(topic, this.host.options.limits.maxTopicLength);
      json = this.host.serialise(data);
    } catch (error) {
      return Promise.reject(error);
    }
    const key = options.idempotencyKey;
    const dropDuplicate = (): PublishResult => {
      this.host.stats.drop('duplicate', 1, `duplicate publish ${key}`, { topic });
      return DUPLICATE;
    };
    const publishNow = (): Promise<PublishResult> => {
      const outcome = this.publishJson(topic, json, options.excludeClientId, key);
      return outcome === 'duplicate' ? Promise.resolve(dropDuplicate()) : outcome.then(() => DELIVERED);
    };
    // A server-side retry may land on another node than the first attempt (a load balancer in
    // front of the push API), so a keyed publish is claimed across the cluster first.
    const claim = key !== undefined && !this.host.dedupe.has(key) ? this.claimKey(key) : undefined;
    if (claim === undefined) return publishNow();
    // Claims run at once (a shared broker batches a turn's claims); the publishes they guard go
    // out in call order.
    const published = this.keyedPublishes
      .then(() => claim)
      .then((fresh) => {
        if (fresh) return publishNow();
        this.host.dedupe.remember(key!);
        return dropDuplicate();
      });
    this.keyedPublishes = published.then(noop, noop);
    return published;
  }

  claimKey(key: string): Promise<boolean> | undefined {
    const broker = this.host.broker;
    if (broker.claimKey === undefined || this.host.options.dedupeWindowMs === 0) return undefined;
    let pending: Promise<boolean>;
    try {
      pending = broker.claimKey(key);
    } catch (error) {
      pending = Promise.reject(error);
    }
    // Without an answer the publish goes through: delivery stays at least once.
    return pending.then(
      (fresh) => fresh,
      (error: unknown) => {
        debug('claimKey %s failed, publishing anyway: %s', key, toError(error).message);
        return true;
      },
    );
  }

  publishJson(topic: string, json: string, exclude: string | undefined, idempotencyKey: string | undefined): 'duplicate' | Promise<void> {
    if (idempotencyKey !== undefined) {
      if (this.host.dedupe.has(idempotencyKey)) return 'duplicate';
      this.host.dedupe.remember(idempotencyKey);
    }
    if (this.host.isClosed()) return Promise.reject(new FiretowerServerError('closed', 'firetower is closed'));
    this.host.stats.publishesTotal++;
    const message: BrokerMessage = exclude === undefined ? { topic, data: json } : { topic, data: json, exclude };
    if (idempotencyKey !== undefined) message.idempotencyKey = idempotencyKey;
    const history = this.host.options.history?.(topic);
    if (history !== undefined) message.history = history;
    let result: Promise<void>;
    try {
      result = this.host.broker.publish(message);
    } catch (error) {
      result = Promise.reject(error);
    }
    if (idempotencyKey === undefined) return result.then(undefined, this.onPublishFailed);
    return result.then(undefined, (error: unknown) => {
      this.host.dedupe.forget(idempotencyKey);
      return this.onPublishFailed(error);
    });
  }
}
