/**
 * Keeps Redis in line with this node's interest: which channels its subscriber connection
 * listens to, and the counts in its node hash.
 *
 * The node reports counts synchronously (`update`); one sync loop at a time catches Redis up.
 * Each round first brings the subscriptions in line (first-subscribe → SUBSCRIBE,
 * last-unsubscribe → UNSUBSCRIBE) and only then writes the counts, so a count another node can
 * see implies this node already listens on the topic's channel. A round that fails (Redis went
 * away) leaves its work marked; the next `kick()` — on reconnect, heartbeat or a new update —
 * retries it. After a reconnect the whole hash is rewritten from `node.localCounts()`.
 *
 * Presence rides the same rounds (`presence-sync.ts`), written after the counts: the node is
 * registered and listens on the topic's channel before its members' transitions are PUBLISHed.
 */
import createDebug from 'debug';
import type { BrokerNode, PresenceUpdate, TopicCount } from '@firetower/server';
import type { RedisKeys } from './keys.js';
import { PresenceSync } from './presence-sync.js';
import { type Client, runScript, WRITE_COUNTS } from './scripts.js';
import { encodeControl } from './wire.js';

const debug = createDebug('firetower:redis:sync');

export type SyncState = 'idle' | 'running' | 'closed';

type Listener = (message: string, channel: string) => void;

export interface InterestSyncDeps {
  node: BrokerNode;
  keys: RedisKeys;
  leaseMs: number;
  pub: Client;
  sub: Client;
  /** Both connections are up: only then is a round worth trying. */
  linkReady(): boolean;
  onDelivery: Listener;
  onControl: Listener;
}

export class InterestSync {
  private state: SyncState = 'idle';
  private running: Promise<void> | undefined;
  /** This node's local counts as last reported (topics with count > 0 only). */
  private readonly local = new Map<string, number>();
  /** Topics whose count changed since the last write. */
  private readonly dirty = new Set<string>();
  private fullWrite = true;
  /** Channels the subscriber connection has confirmed (SUBSCRIBE answered, UNSUBSCRIBE not yet). */
  private readonly active = new Set<string>();
  private readonly deps: InterestSyncDeps;
  private readonly presence: PresenceSync;

  constructor(deps: InterestSyncDeps) {
    this.deps = deps;
    this.presence = new PresenceSync(deps);
  }

  get syncState(): SyncState {
    return this.state;
  }

  update(changes: readonly TopicCount[]): void {
    for (const { topic, count } of changes) {
      if (count > 0) this.local.set(topic, count);
      else this.local.delete(topic);
      this.dirty.add(topic);
    }
    this.kick();
  }

  /** This node's presence changed: written after the next round's counts. */
  updatePresence(updates: readonly PresenceUpdate[]): void {
    this.presence.update(updates);
    this.kick();
  }

  /** Rewrite the whole node hash and every presence share on the next round (after a reconnect or a lapsed lease). */
  requestFullWrite(): void {
    this.fullWrite = true;
    this.presence.requestFullWrite();
  }

  /** Start a round unless one is running (it re-checks for work before it stops). */
  kick(): void {
    if (this.state !== 'idle' || !this.deps.linkReady()) return;
    this.state = 'running';
    const round = this.loop();
    this.running = round;
    void round.then(() => {
      if (this.running === round) this.running = undefined;
    });
  }

  /** Resolves once the current round(s) ended: this node's own writes are then visible. */
  async settle(): Promise<void> {
    while (this.running) await this.running;
  }

  close(): void {
    this.state = 'closed';
  }

  /** The topic's channel is confirmed, or no local subscriber waits for it (nothing to hear). */
  private readonly listening = (topic: string): boolean => !this.local.has(topic) || this.active.has(this.deps.keys.topicChannel(topic));

  private hasWork(): boolean {
    if (this.fullWrite || this.dirty.size > 0 || this.presence.hasWork()) return true;
    if (!this.active.has(this.deps.keys.control)) return true;
    if (this.active.size !== this.local.size + 1) return true;
    for (const topic of this.local.keys()) if (!this.active.has(this.deps.keys.topicChannel(topic))) return true;
    return false;
  }

  /** Never rejects. Back to `idle` synchronously after the last check, so no update is stranded. */
  private async loop(): Promise<void> {
    try {
      await this.rounds();
    } catch (error) {
      // Only node.localCounts() can throw here; retry on the next kick.
      debug('sync loop failed: %O', error);
      this.fullWrite = true;
      if (this.state === 'running') this.state = 'idle';
    }
  }

  private async rounds(): Promise<void> {
    for (;;) {
      if (this.state !== 'running') return;
      if (!this.deps.linkReady() || !this.hasWork()) {
        this.state = 'idle';
        return;
      }
      const full = this.fullWrite;
      this.fullWrite = false;
      if (full) {
        this.local.clear();
        for (const { topic, count } of this.deps.node.localCounts()) if (count > 0) this.local.set(topic, count);
      }
      const changed = full ? [...this.local.keys()] : [...this.dirty];
      this.dirty.clear();
      try {
        await this.reconcileSubscriptions();
        // Closed meanwhile: a late write would resurrect the counts close() just removed.
        if (this.syncState === 'closed') return;
        const complete = await this.writeCounts(full, changed);
        if (!complete) this.requestFullWrite();
        // A lapsed lease seen by the presence write: the next round re-registers and rewrites all.
        else if (this.presence.hasWork() && !(await this.presence.write(this.listening))) this.requestFullWrite();
      } catch (error) {
        debug('sync round failed, will retry on the next kick: %O', error);
        if (full) this.fullWrite = true;
        for (const topic of changed) this.dirty.add(topic);
        if (this.state === 'running') this.state = 'idle';
        return;
      }
    }
  }

  private async reconcileSubscriptions(): Promise<void> {
    const { keys, sub } = this.deps;
    const wanted = new Set<string>([keys.control]);
    for (const topic of this.local.keys()) wanted.add(keys.topicChannel(topic));
    const toSubscribe = [...wanted].filter((channel) => !this.active.has(channel));
    const toUnsubscribe = [...this.active].filter((channel) => !wanted.has(channel));
    const work: Promise<void>[] = [];
    const topicChannels = toSubscribe.filter((channel) => channel !== keys.control);
    if (toSubscribe.includes(keys.control)) {
      work.push(sub.subscribe(keys.control, this.deps.onControl).then(() => void this.active.add(keys.control)));
    }
    if (topicChannels.length > 0) {
      work.push(
        sub.subscribe(topicChannels, this.deps.onDelivery).then(() => {
          for (const channel of topicChannels) this.active.add(channel);
        }),
      );
    }
    if (toUnsubscribe.length > 0) {
      work.push(
        sub.unsubscribe(toUnsubscribe, this.deps.onDelivery).then(() => {
          for (const channel of toUnsubscribe) this.active.delete(channel);
        }),
      );
    }
    if (work.length > 0) debug('subscribe %d, unsubscribe %d channels', toSubscribe.length, toUnsubscribe.length);
    await Promise.all(work);
  }

  /** False when Redis said the lease had lapsed (a full write must follow). */
  private async writeCounts(full: boolean, topics: string[]): Promise<boolean> {
    const { keys, node, leaseMs, pub } = this.deps;
    const args = [node.nodeId, String(leaseMs), full ? '1' : '0', '', keys.control];
    for (const topic of topics) args.push(topic, String(this.local.get(topic) ?? 0));
    if (topics.length > 0) args[3] = encodeControl({ o: node.nodeId, k: 'counts', t: topics });
    const reply = await runScript(pub, WRITE_COUNTS, [keys.nodes, keys.beats, keys.nodeHash(node.nodeId)], args);
    return reply !== 0;
  }

  /**
   * The subscriber connection came back: node-redis resubscribed the channels it had
   * confirmed, which are exactly `active`; the next round fixes any difference.
   */
  subscriberReady(): void {
    this.kick();
  }
}
