/**
 * The public types of @firetower/server. Other packages (topic service, Redis broker, demo,
 * dashboard, gRPC) program against these; change them deliberately.
 */
import type { IncomingMessage } from 'node:http';
import type { Limits, PresenceList, RefusedTopic, StreamPosition } from '@firetower/protocol';
import type { AuthResult, RefreshResult, UpgradeContext, UpgradeRequest } from './auth-types.js';
import type { Broker, TopicCount } from './broker/types.js';
import type { HistoryOption } from './history/policy.js';
import type { PresenceOption } from './presence/policy.js';

export type { TopicCount };
export type { HistoryOption, HistoryRule } from './history/policy.js';
export type { PresenceOption, PresenceRule } from './presence/policy.js';
export type { PresenceList, PresenceMember } from '@firetower/protocol';
export type { AuthAccept, AuthResult, RefreshResult, UpgradeContext, UpgradeRequest } from './auth-types.js';

/** One connection's lifecycle. `closing`: close started, hooks still to run; `closed`: gone. */
export type TowerState = 'open' | 'closing' | 'closed';

/** What hooks see of one connection (one Tower per WebSocket). */
export interface Tower<AppData = Record<string, unknown>> {
  /** Sent by the client (`?clientId=`) or generated; unique on this node while connected. */
  readonly clientId: string;
  /** Set by the authenticate hook. */
  readonly userId: string | undefined;
  /** App data set by the authenticate hook; free for the app to mutate. */
  data: AppData;
  /** Topics this connection is subscribed to. */
  readonly topics: ReadonlySet<string>;
  /** The HTTP upgrade request's URL and peer address (headers: read them in `authenticate`). */
  readonly request: UpgradeRequest;
  readonly state: TowerState;
  /** Unix ms when the connection opened. */
  readonly connectedAt: number;
  /**
   * ToSelf: deliver a message on a topic to this connection only, as a delivery frame (not raw
   * bytes as Go's ToSelf). False when the connection is closing or the slow-consumer policy
   * dropped the frame; throws on an invalid topic or data that cannot be serialised.
   */
  send(topic: string, data: unknown): boolean;
  /** Publish as this connection (through the broker, to every subscriber in the cluster). */
  publish(topic: string, data: unknown, options?: PublishOptions): Promise<PublishResult>;
  /** Subscribe this connection on the server's initiative (no beforeSubscribe). */
  subscribe(topics: string | string[]): void;
  /** Unsubscribe this connection on the server's initiative (fires onSystemRemove). */
  unsubscribe(topics: string | string[]): void;
  /** Close the connection with a code from `CloseCode` (default ServerClosed: the client may retry). */
  close(code?: number, reason?: string): void;
}

/** What a publish did. */
export interface PublishResult {
  /**
   * True when its idempotency key was already seen within `dedupeWindowMs` (on this node or, with
   * a broker that shares keys, anywhere in the cluster): it was acknowledged but not delivered again.
   */
  duplicate: boolean;
}

export interface PublishOptions {
  /** Do not deliver to this clientId (a client's publish with `excludeSelf`). */
  excludeClientId?: string;
  /**
   * Deliver once per key within `dedupeWindowMs`: a retried publish with the same key is
   * acknowledged but not delivered again. Client publishes use `clientId:id` automatically.
   */
  idempotencyKey?: string;
}

/**
 * beforeSubscribe's answer: `true`/`undefined` allows every topic; `false` refuses every topic;
 * `{ refuse: { [topic]: reason } }` or `{ allow: [...] }` refuses some.
 */
export type SubscribeDecision = boolean | undefined | void | { refuse: Record<string, string> } | { allow: string[] };

/** A client's publish, as the message (read) handler sees it. */
export interface IncomingPublish {
  topic: string;
  data: unknown;
  /** The frame's id, when the client sent one. */
  id: string | undefined;
  excludeSelf: boolean;
}

/**
 * The message handler's answer: `undefined`/`true` publishes as is; `{ data }` publishes the
 * transformed data (and `{ topic }` to another topic); `false` drops it silently (acked as
 * accepted and the connection kept; Go's ReadHandler `return false` closed the connection, see
 * docs/migrating-from-go.md); throwing a `FiretowerRefusal` refuses it and the
 * client gets a `refused` error with the message.
 */
export type MessageDecision = boolean | undefined | void | { topic?: string; data?: unknown };

export type UnsubscribeReason = 'client' | 'closed' | 'server';

export type SlowConsumerPolicy = 'drop-oldest' | 'drop-newest' | 'close';

export interface SlowConsumerEvent {
  policy: SlowConsumerPolicy;
  /** Bytes waiting for this connection when the policy acted. */
  queuedBytes: number;
  /**
   * Frames dropped since the previous event for this connection (0 for `close`). The hook runs on
   * the first drop of a backlog, then at most once a second while drops go on, then once for the
   * rest; `dropsTotal.slow_consumer` counts every dropped frame.
   */
  droppedFrames: number;
  /** Frames dropped for this connection since its socket backed up (a running count). */
  totalDropped: number;
}

/** Hooks: every one optional, sync or async, called as plain functions (`this` is undefined). Errors thrown by a hook are logged and contained. */
export interface FiretowerHooks<AppData = Record<string, unknown>> {
  /** SetOnConnectHandler (before the upgrade): decide who may connect. */
  authenticate?(this: void, ctx: UpgradeContext): AuthResult<AppData> | Promise<AuthResult<AppData>>;
  /**
   * A `refresh` frame from the client (new credentials, e.g. `{ token }`, before `expiresAt`):
   * return `{ expiresAt }` to renew (without `expiresAt` the credentials no longer expire), `false`
   * or throw `FiretowerRefusal` to refuse (the client gets a `refused` error frame and the
   * connection still closes at the old expiry). Without this hook refresh frames are refused.
   */
  refresh?(this: void, tower: Tower<AppData>, credentials: Record<string, string>): RefreshResult<AppData> | Promise<RefreshResult<AppData>>;
  /**
   * May this connection publish to this topic? Client publishes are off unless this hook allows
   * them or the server sets `publish: 'allow'`; a refused publish gets `publish_not_allowed`.
   * Runs before `onMessage`.
   */
  canPublish?(this: void, tower: Tower<AppData>, topic: string): boolean | Promise<boolean>;
  /** After the upgrade; may `tower.close(CloseCode.Unauthorized)` to refuse late. */
  onConnect?(this: void, tower: Tower<AppData>): void | Promise<void>;
  /** SetBeforeSubscribeHandler: may refuse some or all topics. */
  beforeSubscribe?(this: void, tower: Tower<AppData>, topics: string[]): SubscribeDecision | Promise<SubscribeDecision>;
  /** SetSubscribeHandler: after the topics were added. */
  onSubscribe?(this: void, tower: Tower<AppData>, topics: string[]): void | Promise<void>;
  /** SetUnSubscribeHandler: after the topics were removed, also for every topic of a closed connection. */
  onUnsubscribe?(this: void, tower: Tower<AppData>, topics: string[], reason: UnsubscribeReason): void | Promise<void>;
  /** SetReadHandler: a client's publish. */
  onMessage?(this: void, tower: Tower<AppData>, message: IncomingPublish): MessageDecision | Promise<MessageDecision>;
  /** SetReadTimeoutHandler: the inbound queue stayed full; the connection is closed with ReadTimeout after. */
  onReadTimeout?(this: void, tower: Tower<AppData>, pending: IncomingPublish[]): void;
  /** SetOnOfflineHandler: the connection is gone (after onUnsubscribe for its topics). */
  onOffline?(this: void, tower: Tower<AppData>, info: { code: number; reason: string }): void | Promise<void>;
  /** SetOnSystemRemove: the server removed this connection from a topic (tower.unsubscribe, unsubscribeUser, removeTopic). */
  onSystemRemove?(this: void, tower: Tower<AppData>, topic: string): void | Promise<void>;
  /** A slow consumer's policy acted. */
  onSlowConsumer?(this: void, tower: Tower<AppData>, event: SlowConsumerEvent): void;
  /** A topic's cluster-wide subscriber count changed (debounced by `countDebounceMs`). */
  onCountChange?(this: void, change: TopicCount): void;
  /** A hook threw or a broker failed; the default logs through `debug('firetower:*')`. */
  onError?(this: void, error: Error, tower?: Tower<AppData>): void;
}

export interface FiretowerOptions<AppData = Record<string, unknown>> {
  /** WebSocket endpoint path on the app. @default '/ws' */
  path?: string;
  /**
   * How an `authenticate` refusal reaches the client. `'close'`: the upgrade is accepted and the
   * connection closed at once with 4500/4503 and the refusal's message, which a browser can read
   * (it cannot read an HTTP status of a failed upgrade). `'http'`: a 401/403 response before the
   * upgrade (cheaper: no WebSocket is opened). Origin and host refusals are always HTTP 403.
   * @default 'close'
   */
  authRefusal?: 'close' | 'http';
  /**
   * Client publishes: `'allow'` lets every connection publish to any topic (the `onMessage` hook
   * still sees each); `'deny'` refuses them with `publish_not_allowed` unless the `canPublish` hook
   * allows the topic.
   */
  publish?: 'allow' | 'deny';
  hooks?: FiretowerHooks<AppData>;
  /** @default memoryBroker() */
  broker?: Broker;
  limits?: Partial<Limits>;
  /**
   * The browser origins that may connect, e.g. `['https://app.example.com']` (recommended). A list
   * is exclusive: any other origin gets HTTP 403 before the upgrade. Empty (the default): only the
   * page's own origin (its host equals the request's `Host`), which stops cross-site hijacking of
   * cookie-authenticated connections but not DNS rebinding (see the README's Security section).
   * `'*'` allows any (not recommended). Requests without an Origin header (non-browser clients)
   * pass: `authenticate` is their check. @default []
   */
  allowedOrigins?: string[] | '*';
  /**
   * The host names this server answers to (the upgrade's `Host` header), e.g.
   * `['app.example.com', 'localhost:3000']`; an entry without a port matches any port. Others get
   * HTTP 403 `host_not_allowed`: the DNS-rebinding defence for servers that trust their network
   * position. @default undefined (every host)
   */
  allowedHosts?: string[];
  /**
   * Shared permessage-deflate (RFC 7692): each delivery is compressed once, however many
   * subscribers it reaches, and the same compressed frame goes to every connection that negotiated
   * the extension (every browser offers it); others get the plain frame. Deliveries smaller than
   * `threshold` bytes are sent uncompressed (compressing them costs more than it saves). Replies
   * (acks, errors) are never compressed. Inflating client frames stays bounded by
   * `limits.maxFrameBytes` (a compressed frame that would inflate past it closes with 1009).
   * `true` means `{ threshold: 256 }`. @default false
   * @example firetower({ compression: true })
   */
  compression?: boolean | { threshold?: number };
  /** Heartbeat text frame interval, and ws ping interval for half-open detection. 0 disables. @default 25000 */
  heartbeatIntervalMs?: number;
  /** Deliver only the raw `data` instead of the `{type,topic,data}` envelope (firetower v0.4 style). @default false */
  rawDelivery?: boolean;
  /** Bytes that may wait for one slow connection before the policy acts. @default 1048576 */
  maxQueueBytes?: number;
  /** @default 'drop-oldest' */
  slowConsumerPolicy?: SlowConsumerPolicy;
  /** Client publishes waiting for the message handler per connection before onReadTimeout. @default 256 */
  maxInboundQueue?: number;
  /** How long the inbound queue may stay full before onReadTimeout fires. @default 5000 */
  readTimeoutMs?: number;
  /** Idempotency window for publish ids. @default 60000 */
  dedupeWindowMs?: number;
  /** Debounce of onCountChange. @default 100 */
  countDebounceMs?: number;
  /** Where the browser bundle and admin routes live. @default '/firetower' */
  prefix?: string;
  /** Serve the client's browser bundle at `${prefix}/client.js`. @default true */
  serveClient?: boolean;
  /** HTTP push API, metrics and dashboard (off unless given). */
  admin?: AdminOptions;
  /**
   * Which topics keep history, for replay on reconnect and catch-up on subscribe (see the README's
   * "History and recovery"): rules, the first match wins, or a function of the topic. Topics
   * without history cost nothing extra. Needs a broker with `history()` (all three built-in do).
   *
   * @example history: [{ match: '/chat/*', size: 100, ttlMs: 300_000 }]
   */
  history?: HistoryOption;
  /**
   * Which topics show who is there (see the README's "Presence"): rules, the first match wins.
   * Needs a broker with presence (all three built-in have it).
   *
   * @example presence: [{ match: '/chat/*', maxMembers: 1000 }]
   */
  presence?: PresenceOption;
}

export interface AdminOptions {
  /** Bearer token required on every admin route. */
  token?: string;
  /** Or an app-supplied check; return true to allow. */
  authorize?(req: IncomingMessage): boolean | Promise<boolean>;
  /** Serve /metrics without auth. @default false */
  openMetrics?: boolean;
}

/** Counters for metrics and the dashboard; cheap to read, monotonic where it says total. */
export interface FiretowerStats {
  connections: number;
  topics: number;
  subscriptions: number;
  messagesInTotal: number;
  /** Frames written to sockets. */
  messagesOutTotal: number;
  bytesOutTotal: number;
  publishesTotal: number;
  dropsTotal: Record<'slow_consumer' | 'duplicate' | 'handler' | 'broker_overflow', number>;
  refusalsTotal: Record<'origin' | 'authenticate' | 'beforeSubscribe' | 'message' | 'rate' | 'limits', number>;
  errorsTotal: number;
}

export interface RecentIssue {
  time: number;
  kind: 'refusal' | 'error' | 'drop';
  /** The hook or limit involved, e.g. 'beforeSubscribe', 'origin', 'slow_consumer'. */
  source: string;
  message: string;
  clientId?: string;
  topic?: string;
}

export interface ShutdownOptions {
  /** Connections closed per batch. @default 500 */
  batchSize?: number;
  /** Pause between batches. @default 50 */
  batchIntervalMs?: number;
  /** Clients are told to wait a random delay up to this before reconnecting. @default 5000 */
  maxRetryAfterMs?: number;
}

/** Server-side operations, usable from anywhere (an HTTP route, a job). */
export interface FiretowerApi<AppData = Record<string, unknown>> {
  readonly nodeId: string;
  readonly broker: Broker;
  /** Publish to every subscriber in the cluster. */
  publish(topic: string, data: unknown, options?: PublishOptions): Promise<PublishResult>;
  /**
   * Deliver to one connection wherever it is in the cluster (Go's ToSelf from outside), as an
   * ordinary delivery on `topic`. A connection on this node is written to at once; otherwise the
   * broker's control path asks every node. Resolves with `{ connections: 1 }` when it was
   * reached, `0` when no node has it.
   */
  sendTo(clientId: string, topic: string, data: unknown): Promise<DirectResult>;
  /**
   * Deliver to every connection of a user, on every node, as an ordinary delivery on `topic`
   * (no subscription needed; the client SDK emits it as a `message` event). Travels the broker's
   * control path. Resolves with the connections reached: `{ connections: 0 }` for an unknown user.
   */
  sendToUser(userId: string, topic: string, data: unknown): Promise<DirectResult>;
  /** GetConnectNum: cluster-wide subscriber count. */
  count(topic: string): Promise<number>;
  /** CheckTopicExist: does any node have a subscriber. */
  exists(topic: string): Promise<boolean>;
  /** Every topic with its cluster-wide count, largest first. */
  topics(): Promise<TopicCount[]>;
  /**
   * Listen to cluster-wide subscriber count changes: the same debounced changes (by
   * `countDebounceMs`) the `onCountChange` hook gets, for code that starts after `firetower()`
   * was created (a gRPC door, a job). A change is reported only when it differs from the last
   * report for that topic, 0 included. A throwing listener is reported through `onError` and
   * never stops the others. Returns the function that removes the listener.
   *
   * @example
   * const off = ft.onCountChange(({ topic, count }) => metrics.gauge(topic, count));
   * // later: off();
   */
  onCountChange(listener: (change: TopicCount) => void): () => void;
  /** Close every connection of a user in the cluster (close code Kicked). */
  kickUser(userId: string, reason?: string): Promise<void>;
  /** Remove a user's connections from a topic in the cluster (fires onSystemRemove). */
  unsubscribeUser(userId: string, topic: string): Promise<void>;
  /** Remove every subscriber of a topic in the cluster (fires onSystemRemove for each). */
  removeTopic(topic: string): Promise<void>;
  /**
   * A topic's kept publications (newest `limit`, oldest first; after `since` when it is a position
   * of the current epoch) and its stream position. Rejects with `no_history` when the topic keeps
   * none.
   */
  history(topic: string, options?: HistoryOptions): Promise<HistoryPage>;
  /**
   * Who is on a topic with presence, cluster-wide: `{ members: [{ id, info, connections }], total,
   * truncated }` (`truncated`, no list, above the topic's `maxMembers`). Rejects with `no_presence`
   * for a topic without presence.
   */
  presence(topic: string): Promise<PresenceList>;
  /** A connection on this node. */
  getTower(clientId: string): Tower<AppData> | undefined;
  /** Connections on this node. */
  towers(): IterableIterator<Tower<AppData>>;
  stats(): FiretowerStats;
  /** The last 100 refusals, errors and drops, newest last. */
  recentIssues(): RecentIssue[];
  /**
   * Report a fault of code that serves this node from outside the WebSocket path (a push door
   * such as `@firetower/grpc`): counted in `errorsTotal`, listed in `recentIssues()` under
   * `source`, and passed to the `onError` hook, like the node's own errors.
   */
  reportError(error: Error, source?: string): void;
  /** For `http.createServer(app)` users: hand the server over so upgrades reach Firetower. */
  attach(server: import('node:http').Server): void;
  /** Graceful shutdown: stop accepting, drain connections in batches, close the broker. */
  close(options?: ShutdownOptions): Promise<void>;
}

export type { RefusedTopic };

/** What `sendTo` / `sendToUser` resolve with. */
export interface DirectResult {
  /** Connections the message was written to, summed over the nodes that answered. */
  connections: number;
  /**
   * Every node the broker knows of answered within 2 s. False when one did not (it may still
   * have delivered), or when the broker keeps no node list to wait for.
   */
  complete: boolean;
}

/** `ft.history` options. */
export interface HistoryOptions {
  /** At most this many, the newest (capped at the topic's `size`). @default the topic's size */
  limit?: number;
  /** Only publications after this position (ignored when its epoch is not the stream's). */
  since?: StreamPosition;
}

/** What `ft.history` answers. */
export interface HistoryPage<T = unknown> extends StreamPosition {
  /** Oldest first, `data` parsed. */
  publications: Array<{ offset: number; data: T }>;
}
