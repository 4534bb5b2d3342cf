import { randomBytes } from 'node:crypto';
import { TopicServiceErrorCode } from '@firetower/protocol';
import createDebug from 'debug';
import { monotonicNow } from '../clock.js';
import { TopicServiceError } from '../errors.js';
import type {
  HistoryResponse,
  NodeInfo,
  PresenceListResponse,
  RegisterResponse,
  TopicResponse,
  WireControl,
  WireCount,
  WireHistoryPolicy,
  WirePresenceChange,
  WirePresenceUpdate,
  WirePublish,
} from '../wire.js';
import { FanOut } from './fan-out.js';
import { RestartGrace } from './grace.js';
import { safely, type ServiceErrorReporter } from './guard.js';
import { IdempotencyKeys } from './idempotency-keys.js';
import { LongPolls } from './long-polls.js';
import { NodeRecord, type PollSink } from './node-record.js';
import { PresenceTable, type PresenceStats } from './presence.js';
import { TopicRegistry } from './registry.js';
import { sameSecret } from './secrets.js';
import { SequenceTable } from './sequences.js';
import { HistoryStreams, type HistoryStats } from './streams.js';
import { defaultLimits, type KeyStats, type NodeCredentials, type PublishOutcome, type ServiceState, type TopicServiceLimits } from './types.js';

const debug = createDebug('firetower:topic-service');

export { defaultLimits };
export type { HistoryStats, KeyStats, NodeCredentials, PresenceStats, PublishOutcome, ServiceState, TopicServiceLimits };

/** A key in a publish batch without a `keyTtlMs` (a node that does not say) is kept this long. */
const DEFAULT_KEY_TTL_MS = 60_000;

/**
 * The topic service without HTTP: registry, nodes, outboxes, leases. Every method either
 * applies completely or throws a `TopicServiceError` before touching state.
 */
export class TopicServiceCore {
  readonly limits: TopicServiceLimits;
  private readonly registry = new TopicRegistry();
  private readonly nodes = new Map<string, NodeRecord>();
  private readonly keys: IdempotencyKeys;
  private readonly polls: LongPolls;
  private readonly fanOut: FanOut;
  private readonly sweeper: NodeJS.Timeout;
  private readonly sequences = new SequenceTable();
  private readonly grace: RestartGrace;
  private readonly streams: HistoryStreams;
  private readonly presence: PresenceTable;
  /** This service instance (one process start); a node that comes back with another one resumes. */
  readonly instance = randomBytes(12).toString('base64url');
  /** monotonicNow() at start: a restart grace can only open while the cluster re-forms after it. */
  private readonly startedAt = monotonicNow();
  private state: ServiceState = 'running';

  /** Unexpected errors (bugs) reported so far; each was contained to its request or timer. */
  errorsTotal = 0;
  private readonly onError: ServiceErrorReporter | undefined;

  /** `onError`: told about every unexpected error (a bug) and where; the service carries on. */
  constructor(limits: Partial<TopicServiceLimits> = {}, onError?: ServiceErrorReporter) {
    this.limits = { ...defaultLimits, ...limits };
    this.onError = onError;
    this.keys = new IdempotencyKeys(this.limits.maxKeys, this.limits.maxKeyTtlMs);
    this.streams = new HistoryStreams({
      maxStreams: this.limits.maxHistoryStreams,
      maxBytes: this.limits.maxHistoryBytes,
      maxReadBytes: this.limits.maxHistoryReadBytes,
    });
    this.presence = new PresenceTable({ maxPerNodeTopic: this.limits.maxPresenceMembers, maxShares: this.limits.maxPresenceShares });
    this.polls = new LongPolls({
      limits: this.limits,
      isCurrent: (node) => this.nodes.get(node.nodeId) === node,
      safely: (where, fn) => this.safely(where, fn),
      reportError: (error, where) => this.reportError(error, where),
    });
    this.fanOut = new FanOut({ nodes: this.nodes, registry: this.registry, streams: this.streams, polls: this.polls });
    this.grace = new RestartGrace(this.limits.graceMs, (relay) => this.safely('restart grace release', relay));
    const every = Math.max(10, Math.min(1000, Math.floor(this.limits.leaseMs / 4)));
    this.sweeper = setInterval(() => this.safely('lease sweep', () => this.sweep(monotonicNow())), every);
    this.sweeper.unref();
  }

  /** Count and report an unexpected error (the HTTP layer's guard and the core's timers call it). */
  reportError(error: unknown, where: string): void {
    this.errorsTotal += 1;
    debug('unexpected error in %s: %s', where, error instanceof Error ? error.stack : String(error));
    this.onError?.(error, where);
  }

  private safely(where: string, fn: () => void): void {
    safely((error, at) => this.reportError(error, at), where, fn);
  }

  get running(): boolean {
    return this.state === 'running';
  }

  /**
   * Register (or re-register) a node: any previous state of that id is dropped; send full counts
   * next. `previousInstance`: the service instance the node was registered with before, if any;
   * another one than this means this service restarted, which opens the restart grace.
   */
  register(nodeId: string, epoch: string, previousInstance?: string): RegisterResponse {
    this.assertRunning();
    const previous = this.nodes.get(nodeId);
    if (previous) this.remove(previous, previous.epoch === epoch ? 're-register' : 'new epoch');
    const { maxOutboxEntries, maxOutboxBytes, leaseMs, maxWaitMs, maxBatch } = this.limits;
    // The session binds every later request to this registration: unguessable, never listed.
    const session = randomBytes(24).toString('base64url');
    this.nodes.set(nodeId, new NodeRecord(nodeId, epoch, session, maxOutboxEntries, maxOutboxBytes));
    // Nodes of the old instance come back within a lease of this one starting; later, a node naming
    // another instance is no restart of ours (another service, a very long partition), and holding
    // every relay of the cluster for it would only hand a token holder a pause button.
    const reforming = monotonicNow() - this.startedAt < 2 * this.limits.leaseMs;
    if (previousInstance !== undefined && previousInstance !== this.instance && reforming) this.grace.resume();
    debug('node %s registered (epoch %s)%s', nodeId, epoch, this.grace.holding ? ', restart grace' : '');
    return { nodeId, epoch, instance: this.instance, session, leaseMs, maxWaitMs, maxBatch };
  }

  /** Relaying is held by the restart grace right now. */
  get holding(): boolean {
    return this.grace.holding;
  }

  /** End the restart grace now (relay what it holds). */
  endGrace(): void {
    this.grace.release();
  }

  /** A node leaves cleanly: its counts go at once. */
  leave(nodeId: string, who: NodeCredentials): void {
    this.assertRunning();
    this.remove(this.node(nodeId, who), 'left');
  }

  /** Apply count changes; with `full` every topic not listed drops to 0 (a resync). */
  setCounts(nodeId: string, who: NodeCredentials, changes: readonly WireCount[], full: boolean): void {
    this.assertRunning();
    this.assertBatch(changes.length);
    const node = this.node(nodeId, who);
    const latest = new Map<string, number>();
    if (full) for (const topic of node.topics.keys()) latest.set(topic, 0);
    for (const { topic, count } of changes) latest.set(topic, count);
    const changed: string[] = [];
    for (const [topic, count] of latest) {
      if (count === 0) node.topics.delete(topic);
      else node.topics.set(topic, count);
      if (this.registry.set(node.nodeId, topic, count)) changed.push(topic);
    }
    this.fanOut.countHints(node.nodeId, changed);
  }

  /**
   * Apply a node's presence changes (`POST /v1/nodes/:id/presence`) and relay the cluster-wide
   * transitions they cause to every presence-speaking node with subscribers of the topic, this
   * one included. A full write (after registration) starts with `full` and ends with `complete`;
   * at its end the node's shares it did not write go. Returns the new shares refused by a cap.
   */
  setPresence(nodeId: string, who: NodeCredentials, updates: readonly WirePresenceUpdate[], full: boolean, complete: boolean): { refused: number } {
    this.assertRunning();
    this.assertBatch(updates.length);
    const node = this.node(nodeId, who);
    node.presence = true;
    if (full) node.presenceSync = new Set<string>();
    const written = node.presenceSync;
    if (written !== undefined) for (const { topic, memberId } of updates) written.add(PresenceTable.key(topic, memberId));
    if (complete) node.presenceSync = undefined;
    const { changes, refused } = this.presence.update(node.nodeId, updates, complete ? written : undefined);
    this.relayPresence(changes);
    return { refused };
  }

  /** A topic's members, cluster-wide (`GET /v1/topics/:topic/presence`): at most `limit`, and how many in all. */
  presenceList(topic: string, limit: number): PresenceListResponse {
    this.assertRunning();
    return this.presence.list(topic, limit);
  }

  presenceStats(): PresenceStats {
    return this.presence.stats();
  }

  /**
   * Queue transitions for the nodes with subscribers of their topic. Held by the restart grace
   * like publishes: a node that re-registers late still hears every transition of the re-forming.
   */
  private relayPresence(changes: readonly WirePresenceChange[]): void {
    if (changes.length === 0) return;
    const relay = () => this.fanOut.presence(changes);
    if (this.grace.holding) this.grace.hold(relay);
    else relay();
  }

  /**
   * Relay messages to every other node with subscribers of their topic, in order. The origin
   * is not sent its own publishes (its broker delivered them locally already), except history
   * publishes (`history` set): each is appended to its topic's stream when it is relayed, so
   * offsets follow relay order, and goes with its position to every node with subscribers of
   * the topic, the origin included (its broker waits for this echo to deliver it locally).
   * A message's idempotency key is recorded for `keyTtlMs` (so a claim on any node sees it) and
   * not relayed. With `seq` (the first message's sequence; the rest follow it), messages applied
   * already are skipped (a resent batch, so appended once), and each relayed entry names its
   * origin and sequence so a receiving broker can drop a copy it already delivered.
   */
  publish(nodeId: string, who: NodeCredentials, messages: readonly WirePublish[], keyTtlMs = DEFAULT_KEY_TTL_MS, seq?: number): PublishOutcome {
    this.assertRunning();
    this.assertBatch(messages.length);
    const origin = this.node(nodeId, who);
    const duplicates = seq === undefined ? 0 : this.sequences.seen(origin.nodeId, origin.epoch, seq, messages.length);
    if (seq !== undefined && messages.length > 0) this.sequences.applied(origin.nodeId, origin.epoch, seq + messages.length - 1);
    const fresh = duplicates === 0 ? messages : messages.slice(duplicates);
    this.keys.published(fresh, keyTtlMs, monotonicNow());
    const originId = origin.nodeId;
    const from = origin.origin;
    const first = seq === undefined ? undefined : seq + duplicates;
    const relay = () => this.fanOut.messages(originId, from, fresh, first);
    if (this.grace.holding) {
      if (fresh.length > 0) this.grace.hold(() => void relay());
      return { deliveries: 0, held: fresh.length, duplicates };
    }
    return { deliveries: relay(), held: 0, duplicates };
  }

  /** Relay a command to every other live node (the origin ran it locally); `seq` as for publish. */
  control(nodeId: string, who: NodeCredentials, command: WireControl, seq?: number): PublishOutcome {
    this.assertRunning();
    const origin = this.node(nodeId, who);
    if (seq !== undefined) {
      if (this.sequences.seen(origin.nodeId, origin.epoch, seq, 1) > 0) return { deliveries: 0, held: 0, duplicates: 1 };
      this.sequences.applied(origin.nodeId, origin.epoch, seq);
    }
    const json = JSON.stringify(seq === undefined ? { kind: 'control', command } : { kind: 'control', command, origin: origin.origin, seq });
    const originId = origin.nodeId;
    const relay = () => this.fanOut.control(originId, json);
    if (this.grace.holding) {
      this.grace.hold(() => void relay());
      return { deliveries: 0, held: 1, duplicates: 0 };
    }
    return { deliveries: relay(), held: 0, duplicates: 0 };
  }

  /**
   * A node's long-poll: acknowledge up to `ack`, then answer at once when something is queued,
   * else hold up to `waitMs`. Returns a cancel function for the HTTP layer (client went away).
   */
  poll(nodeId: string, who: NodeCredentials, ack: number, waitMs: number, sink: PollSink): () => void {
    this.assertRunning();
    return this.polls.open(this.node(nodeId, who), ack, waitMs, sink);
  }

  /**
   * Claim idempotency keys, in order: `fresh[i]` is true, and `keys[i]` is recorded for `ttlMs`,
   * when no publish or claim took it within its window (a key twice in one request: the first wins).
   * Not tied to a node: a node claims while it (re)registers, too.
   */
  claim(keys: readonly string[], ttlMs: number): boolean[] {
    this.assertRunning();
    return this.keys.claim(keys, ttlMs, monotonicNow());
  }

  /**
   * Read a topic's stream (`POST /v1/history`): the newest `limit` kept publications above
   * `after`, oldest first, and its position. Not tied to a node, like claims. Never creates a stream.
   */
  history(topic: string, after: number, limit: number, policy?: WireHistoryPolicy): HistoryResponse {
    this.assertRunning();
    return this.streams.read(topic, after, limit, policy, monotonicNow());
  }

  historyStats(): HistoryStats {
    return this.streams.stats();
  }

  keyStats(): KeyStats {
    return this.keys.stats();
  }

  count(topic: string): TopicResponse {
    const count = this.registry.count(topic);
    return { topic, count, exists: count > 0 };
  }

  topics(): WireCount[] {
    return this.registry.list();
  }

  nodeInfos(now = monotonicNow()): NodeInfo[] {
    const out: NodeInfo[] = [];
    for (const node of this.nodes.values()) {
      out.push({
        nodeId: node.nodeId,
        origin: node.origin,
        lagMs: node.poll.state === 'held' ? 0 : Math.max(0, now - node.lastSeen),
        polling: node.poll.state === 'held',
        topics: node.topics.size,
        outbox: node.outbox.size,
        dropped: node.outbox.droppedTotal,
        received: node.received,
        registeredAt: node.registeredAt,
      });
    }
    return out.sort((a, b) => (a.nodeId < b.nodeId ? -1 : 1));
  }

  /**
   * Expire nodes whose lease ran out; `now` on the monotonic clock (`performance.now()`), so a
   * wall-clock step (NTP, a VM resume) neither expires every lease nor stops expiry. Public so a
   * test can drive it with a chosen clock.
   */
  sweep(now: number): void {
    this.keys.sweep(now);
    this.streams.sweep(now);
    for (const node of [...this.nodes.values()]) {
      if (node.poll.state === 'idle' && now - node.lastSeen > this.limits.leaseMs) this.remove(node, 'lease expired');
    }
  }

  /** Stop: answer held polls with 503 `closed`, stop the sweeper. State is dropped. */
  close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    clearInterval(this.sweeper);
    this.grace.close();
    this.sequences.clear();
    const body = JSON.stringify({ error: { code: 'closed', message: 'topic service is closing' } });
    for (const node of this.nodes.values()) this.polls.release(node)?.answer(503, body);
    this.nodes.clear();
    this.keys.clear();
    this.streams.clear();
    this.presence.clear();
  }

  private node(nodeId: string, who: NodeCredentials): NodeRecord {
    const node = this.nodes.get(nodeId);
    if (!node) throw new TopicServiceError('unknown_node', `node ${nodeId} is not registered; register and resync`);
    if (who.epoch !== undefined && who.epoch !== node.epoch) {
      throw new TopicServiceError('unknown_node', `node ${nodeId} is registered with another epoch; register and resync`);
    }
    if (who.session === undefined || !sameSecret(who.session, node.session)) {
      throw new TopicServiceError('unknown_node', `node ${nodeId}: missing or wrong session; register and resync`);
    }
    return node;
  }

  private remove(node: NodeRecord, why: string): void {
    debug('node %s removed: %s', node.nodeId, why);
    const superseded = JSON.stringify({ error: { code: TopicServiceErrorCode.PollSuperseded, message: `node ${why}` } });
    this.polls.release(node)?.answer(409, superseded);
    this.nodes.delete(node.nodeId);
    const changed: string[] = [];
    for (const topic of node.topics.keys()) {
      if (this.registry.set(node.nodeId, topic, 0)) changed.push(topic);
    }
    node.topics.clear();
    this.fanOut.countHints(node.nodeId, changed);
    // Its members leave where it was their last place ("a killed node's members leave within the lease").
    this.relayPresence(this.presence.removeNode(node.nodeId));
  }

  private assertRunning(): void {
    if (this.state !== 'running') throw new TopicServiceError('closed', 'topic service is closed');
  }

  private assertBatch(size: number): void {
    if (size > this.limits.maxBatch) {
      throw new TopicServiceError('batch_too_large', `batch of ${size} exceeds maxBatch ${this.limits.maxBatch}`);
    }
  }
}
