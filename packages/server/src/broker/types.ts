/**
 * The Broker seam: how a node shares topics with the rest of a cluster.
 *
 * A node tells its broker only *counts*: how many local subscribers a topic has after a change
 * (0 = the last one left). It never makes a call per subscriber or per delivery. The broker
 * relays publishes to every node with subscribers of the topic (including this one) and calls
 * `node.deliver` once per message per node; the node fans out locally.
 *
 * Implementations: `memoryBroker()` (one process, the default), the topic-service broker
 * (`@firetower/topic-service`) and the Redis broker (`@firetower/redis`). One contract suite
 * (`@firetower/server/testing`) runs against each.
 */
import { BrokerErrorCode, FiretowerCodedError, type StreamPosition } from '@firetower/protocol';
import type { BrokerCapabilities } from './core.js';

/** A message travelling between nodes. `data` is JSON text, serialised once at the origin. */
export interface BrokerMessage {
  topic: string;
  /** The message's data as JSON text (never re-serialised on the way). */
  data: string;
  /** A clientId that must not receive it (publish with `excludeSelf`). */
  exclude?: string;
  /**
   * The publish's idempotency key (a client publish: `clientId:id`). A broker shared by several
   * nodes records it for the node's `dedupeWindowMs`, so `claimKey` on any node sees it. Nodes
   * ignore it on delivery.
   */
  idempotencyKey?: string;
  /**
   * Set by the node when the topic keeps history: the broker appends the publish to the topic's
   * stream (assigning its offset, cluster-wide) and delivers it with `position`, everywhere
   * including the origin node, in offset order.
   */
  history?: HistoryPolicy;
  /** Set by the broker on delivery of a history publish: its place in the topic's stream. */
  position?: StreamPosition;
}

/** How much of a topic's stream a broker keeps (resolved by the node from `FiretowerOptions.history`). */
export interface HistoryPolicy {
  /** Publications kept per topic (the newest). */
  readonly size: number;
  /** A publication older than this is no longer kept. */
  readonly ttlMs: number;
  /**
   * How long the stream's position (offset and epoch) outlives its last publish. After that the
   * topic starts a new epoch and a reconnecting subscriber is told `epoch_changed`.
   */
  readonly metaTtlMs: number;
}

/** One stored publication: its offset and its data as JSON text. */
export interface HistoryRecord {
  offset: number;
  data: string;
}

/** A read of a topic's stream. */
export interface HistoryQuery {
  /** Only publications with an offset above this. @default 0 (all kept) */
  after?: number;
  /** At most this many, the newest (0: only the position). */
  limit: number;
  policy: HistoryPolicy;
}

/**
 * What a broker's `history()` answers: the kept publications asked for (oldest first), and the
 * stream's position: the offset of its last publish and its epoch. A stream that does not exist
 * (never published, or forgotten after `metaTtlMs`) answers `{ offset: 0, epoch: '' }`; its first
 * publish starts an epoch, and offsets count from 1.
 */
export interface HistoryRead extends StreamPosition {
  publications: HistoryRecord[];
}

/**
 * A message for one connection or one user's connections wherever they are (`ft.sendTo`,
 * `ft.sendToUser`), delivered as an ordinary delivery on `topic` without a subscription. Every
 * node that applies it answers the `origin` node with a `reached` command.
 */
export type DirectCommand =
  | { kind: 'sendTo'; clientId: string; topic: string; data: string; requestId: string; origin: string }
  | { kind: 'sendToUser'; userId: string; topic: string; data: string; requestId: string; origin: string };

/** A node's answer to a `DirectCommand`: how many of its connections it reached. */
export interface ReachedCommand {
  kind: 'reached';
  requestId: string;
  origin: string;
  nodeId: string;
  connections: number;
}

/** Operations that reach every node of the cluster. */
export type ControlCommand =
  | { kind: 'kickUser'; userId: string; reason?: string }
  | { kind: 'unsubscribeUser'; userId: string; topic: string }
  | { kind: 'removeTopic'; topic: string }
  | DirectCommand
  | ReachedCommand;

export interface TopicCount {
  topic: string;
  count: number;
}

/**
 * One member's connections on one node for one presence topic, as a node reports it: after the
 * change, `connections` of the member's connections on this node hold the topic (0: none left
 * here). A member is a user (`userId`) or an anonymous connection (its clientId).
 */
export interface PresenceUpdate {
  topic: string;
  memberId: string;
  /** What the member shows (`authenticate`'s `presence`), as JSON text; `null` when nothing. */
  info: string;
  connections: number;
}

/** A member of a topic, cluster-wide. */
export interface PresenceEntry {
  memberId: string;
  info: string;
  /** The member's connections holding the topic, on every node. */
  connections: number;
}

/**
 * Cluster-wide transitions of a topic's members: `joined` had no connection on the topic anywhere
 * before, `left` has none anywhere now. A member still connected on another node never leaves.
 */
export interface PresenceChange {
  topic: string;
  joined: Array<{ memberId: string; info: string }>;
  left: Array<{ memberId: string; info: string }>;
  /** Distinct members of the topic after the change. */
  members: number;
}

/** What a node hands its broker at start. */
export interface BrokerNode {
  /** Unique per process start. */
  readonly nodeId: string;
  /** How long an idempotency key counts as seen (FiretowerOptions.dedupeWindowMs); 0 = never. */
  readonly dedupeWindowMs: number;
  /** Fan a message out to this node's local subscribers. Must not throw. */
  deliver(message: BrokerMessage): void;
  /** Apply a control command to this node's local connections. Must not throw. */
  control(command: ControlCommand): void;
  /** Every topic with local subscribers and its local count: the full set for a resync. */
  localCounts(): TopicCount[];
  /** Optional: cluster-wide counts of these topics may have changed (remote subscribers came or went). */
  countsChanged?(topics: string[]): void;
  /** Members joined or left a presence topic, cluster-wide (every node with subscribers of it hears it). Must not throw. */
  presenceChanged?(change: PresenceChange): void;
  /** This node's presence, every member of every presence topic: the full set to rewrite after the store lost it. */
  localPresence?(): PresenceUpdate[];
  /**
   * Report a problem of the cluster link the broker cannot fix by retrying (once per change, not
   * per attempt): counted in `errorsTotal`, shown in `recentIssues()` as `broker_failed`, passed to
   * the app's `onError`. Optional so a test double need not have it; the server always provides it.
   */
  reportError?(error: unknown): void;
}

export interface BrokerStatus {
  kind: string;
  /** Is the link to the shared service up (always true for memory)? */
  connected: boolean;
  /** Publishes buffered while the link is down. */
  pendingPublishes: number;
  /** Publishes dropped by the buffer's overflow policy since start. */
  droppedPublishes: number;
  /** Cluster nodes with their lag in ms, when the broker knows them. */
  nodes?: Array<{ nodeId: string; lagMs: number; topics?: number }>;
  /**
   * A persistent failure the broker cannot fix by retrying (a wrong token, a refused port, replies
   * it cannot trust), shown on the dashboard and in `/api/stats` until it clears. Reported once
   * through `onError` when it starts.
   */
  error?: { code: string; message: string; since: number };
}

export interface Broker {
  /** A short name for logs and status: 'memory', 'topic-service', 'redis'. */
  readonly kind: string;
  /** What the broker promises (see `BrokerCapabilities`); absent means nothing beyond the interface. */
  readonly capabilities?: BrokerCapabilities;
  /** Called once by the server before it accepts connections. */
  start(node: BrokerNode): Promise<void>;
  /**
   * This node's local subscriber counts changed. A count of 0 means no local subscriber is left
   * (last-unsubscribe); a topic seen for the first time is a first-subscribe. The broker may
   * batch and coalesce; it must keep the latest count per topic.
   */
  updateLocalCounts(changes: readonly TopicCount[]): void;
  /**
   * Relay a message to every node with subscribers of the topic, this one included. Resolves
   * when the broker has accepted it (delivered locally, or buffered for the cluster). Messages
   * one caller publishes on one topic arrive everywhere in the order of the calls.
   * Rejects with a `BrokerOverflowError` when the outgoing buffer is full, and with a
   * `BrokerLifecycleError` (`broker_not_started`, `broker_closed`) outside start..close.
   */
  publish(message: BrokerMessage): Promise<void>;
  /** Run a command on every node, this one included. */
  control(command: ControlCommand): Promise<void>;
  /**
   * Claim an idempotency key for the whole cluster: resolves true, and records the key for
   * `dedupeWindowMs`, when no node published with it or claimed it within that window; false
   * when one did. A node asks only when a publish may repeat one made on another node: a
   * client's re-sent publish (`retry: true`) or a server-side publish with an idempotencyKey.
   * First sends only record their key, through `publish`. Keys claimed in one event-loop turn
   * may be batched into one round trip. Optional: without it, dedupe stays per node.
   */
  claimKey?(key: string): Promise<boolean>;
  /**
   * Read a topic's stream (see `HistoryQuery`, `HistoryRead`). Required to use
   * `FiretowerOptions.history`; a broker without it refuses history topics at start.
   */
  history?(topic: string, query: HistoryQuery): Promise<HistoryRead>;
  /**
   * This node's presence changed (see `PresenceUpdate`); the broker may batch and must keep the
   * latest per topic and member. Required to use `FiretowerOptions.presence`.
   */
  updatePresence?(updates: readonly PresenceUpdate[]): void;
  /** The topic's members, cluster-wide (at most `limit`; `total` counts them all). */
  presence?(topic: string, limit: number): Promise<{ members: PresenceEntry[]; total: number }>;
  /** Cluster-wide subscriber count of a topic (0 when no node has one). */
  count(topic: string): Promise<number>;
  /** Every topic with its cluster-wide count, the largest first. */
  topics(): Promise<TopicCount[]>;
  status(): Promise<BrokerStatus>;
  /** Stop: release the link; pending work is dropped or flushed as the broker documents. */
  close(): Promise<void>;
}

/** A publish refused because the broker's outgoing buffer is full (`broker_overflow`; retry with backoff). */
export class BrokerOverflowError extends FiretowerCodedError<'broker_overflow'> {
  constructor(message = 'broker buffer is full') {
    super(BrokerErrorCode.Overflow, message);
    this.name = 'BrokerOverflowError';
  }
}
