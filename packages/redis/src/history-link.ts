/**
 * The broker's history side: how a history publish travels (an append script instead of a
 * PUBLISH, and a `publish()` that resolves once Redis stored it) and how `history()` reads a
 * stream in line with this node's live deliveries. Kept apart from `broker.ts`, which only routes
 * to it; the scripts themselves are in `history.ts`.
 */
import createDebug from 'debug';
import type { BrokerMessage, BrokerState, ClusterCore, HistoryQuery, HistoryRead } from '@firetower/server';
import { RedisBrokerError } from './errors.js';
import { appendHistory, AppendReceipt, EpochSource, type HistoryAppend, readHistory } from './history.js';
import type { InterestSync } from './interest-sync.js';
import type { RedisKeys } from './keys.js';
import type { Client } from './scripts.js';

const debug = createDebug('firetower:redis:history');

/** The connections and the interest sync of a started broker. */
export interface HistoryConnections {
  pub: Client;
  sub: Client;
  sync: InterestSync;
}

export interface HistoryLinkDeps {
  keys: RedisKeys;
  /** `historyTimeoutMs`. */
  timeoutMs: number;
  /** The broker's core: its state, state changes, and the dropped-publish count. */
  core: ClusterCore<unknown>;
  /** The broker's connections once started. */
  connections(): HistoryConnections | undefined;
}

export class HistoryLink {
  private readonly epochs = new EpochSource();
  /** The receipt of the append `encode` just made, for the `publish` call that caused it. */
  private lastReceipt: AppendReceipt | undefined;

  constructor(private readonly deps: HistoryLinkDeps) {}

  /** What the outage buffer holds for a history publish (called by the core, inside `publish`). */
  encode(message: BrokerMessage & { history: NonNullable<BrokerMessage['history']> }, channel: string): HistoryAppend {
    const receipt = (this.lastReceipt = new AppendReceipt());
    const { topic, history: policy, exclude, data } = message;
    return { topic, channel, policy, exclude, data, receipt };
  }

  /**
   * The promise a history `publish()` returns, given the core's: it resolves once Redis stored the
   * publish (so a `history()` on any node then sees it) and rejects with `history_failed` when the
   * append failed. One buffered while Redis is unreachable waits for that up to `historyTimeoutMs`,
   * then resolves as buffered.
   */
  published(accepted: Promise<void>): Promise<void> {
    const receipt = this.lastReceipt;
    this.lastReceipt = undefined;
    if (receipt === undefined) return accepted; // refused before it was encoded
    return accepted.then(() => (receipt.sent ? receipt.stored : receipt.storedWithin(this.deps.timeoutMs)));
  }

  /** Send one append (the link is up, or node-redis queues it). */
  send(pub: Client, append: HistoryAppend): void {
    const sent = appendHistory(pub, this.deps.keys, append, this.epochs.next());
    // An error reply reached no node, this one included; an append lost with the connection may or
    // may not have run. Either way its publisher is told it failed, and it counts as dropped.
    sent.catch((error: unknown) => {
      this.deps.core.countDropped(1);
      debug('a history append failed: %O', error);
    });
    append.receipt.track(sent);
  }

  /**
   * Read a topic's stream, lined up with this node's live deliveries so that together they leave
   * no gap and no overlap: the read waits for this node's pending SUBSCRIBEs (as `count()` waits
   * for its count writes), so every publish after it reaches the node live; and it resolves only
   * after a PING on the subscriber connection came back, so every publish the read saw was
   * already delivered here (it travels on the other connection and could otherwise arrive after
   * the read's reply). While the broker is still starting it waits up to `historyTimeoutMs` for its
   * first connection (the app may read at boot); once joined, it rejects with `not_connected` at
   * once while Redis is unreachable, and with `history_failed` when the read fails or takes longer
   * than `historyTimeoutMs`.
   */
  read(topic: string, query: HistoryQuery): Promise<HistoryRead> {
    const { core, keys, timeoutMs } = this.deps;
    let connections: HistoryConnections;
    try {
      core.running('history');
      connections = this.deps.connections()!; // set in start(), before the core runs
    } catch (error) {
      return Promise.reject(error);
    }
    if (core.state === 'starting') return this.leftStarting(topic).then(() => this.read(topic, query));
    const { pub, sub, sync } = connections;
    if (core.state !== 'connected' || !pub.isReady) return Promise.reject(this.unreachable(topic, core.state));
    return readHistory(pub, keys, topic, query, { before: sync.settle(), after: () => fenceDeliveries(sub) }, timeoutMs);
  }

  /** Resolves when the broker leaves `starting` within `historyTimeoutMs` (for any state: the caller re-checks). */
  private leftStarting(topic: string): Promise<void> {
    const { core, timeoutMs } = this.deps;
    return new Promise<void>((resolve, reject) => {
      const stop = core.onState(({ newState }) => {
        if (newState === 'starting') return;
        clearTimeout(timer);
        stop();
        resolve();
      });
      const timer = setTimeout(() => {
        stop();
        reject(this.unreachable(topic, core.state));
      }, timeoutMs);
      timer.unref();
    });
  }

  private unreachable(topic: string, state: BrokerState): RedisBrokerError {
    return new RedisBrokerError('not_connected', `cannot read the history of ${topic}: Redis is unreachable (broker ${state})`);
  }
}

/**
 * A PING on the subscriber connection: its reply follows every message Redis queued for this
 * node before it, so when it resolves those were delivered. A failed PING (the subscriber link is
 * down) fences nothing it could still deliver, so it resolves too.
 */
async function fenceDeliveries(sub: Client): Promise<void> {
  try {
    if (sub.isReady) await sub.sendCommand(['PING']);
  } catch (error) {
    debug('delivery fence failed: %O', error);
  }
}
