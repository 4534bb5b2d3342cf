/**
 * The HTTP wire shapes shared by the service and its broker. Version prefix: `/v1`.
 * Every error body is `{ error: { code, message } }` with a code from `TopicServiceErrorCode`.
 */

import type { TopicServiceErrorCode as ErrorCode } from '@firetower/protocol';

/** One subscription change: this node now has `count` local subscribers of `topic` (0 = none). */
export interface WireCount {
  topic: string;
  count: number;
}

/** A publish as a node sends it: `data` is JSON text, relayed untouched. */
export interface WireMessage {
  topic: string;
  data: string;
  exclude?: string;
}

/**
 * How much of a topic's stream the service keeps (the server's `HistoryPolicy`): the newest
 * `size` publications, each for `ttlMs`, and the stream's position for `metaTtlMs` after its last
 * publish. Bounded by `HISTORY_LIMITS`.
 */
export interface WireHistoryPolicy {
  size: number;
  ttlMs: number;
  metaTtlMs: number;
}

/**
 * A publish as a node sends it to the service: a relayed message plus, for a keyed publish, its
 * idempotency key (the service records it for the request's `keyTtlMs`; it is never relayed),
 * and for a topic that keeps history, its policy: the service then appends it to the topic's
 * stream and relays it with its position to every node with subscribers, the origin included.
 */
export interface WirePublish extends WireMessage {
  key?: string;
  history?: WireHistoryPolicy;
}

/**
 * The bounds of history the service accepts (a policy or read beyond them is `400 bad_request`;
 * the broker clamps to them before sending, so a node's policy is never refused).
 */
export const HISTORY_LIMITS = {
  /** Most publications kept per topic. */
  maxSize: 10_000,
  /** Longest `ttlMs` and `metaTtlMs`: 7 days. */
  maxTtlMs: 7 * 24 * 60 * 60 * 1000,
  /** Most publications one read may ask for (protocol's `MAX_SINCE_LIMIT`). */
  maxLimit: 10_000,
  /** Epochs are this long at most (protocol's `MAX_EPOCH_LENGTH`). */
  maxEpochLength: 64,
} as const;

/**
 * `POST /v1/history`: read a topic's stream: the newest `limit` publications with an offset above
 * `after` (default 0), oldest first (`limit` 0: the position only). `policy`, when given, narrows
 * what is returned to its `size` and `ttlMs`; without it the stream's own (its last publish's) holds.
 * Never creates a stream.
 */
export interface HistoryRequest {
  topic: string;
  after?: number;
  limit: number;
  policy?: WireHistoryPolicy;
}

/** One kept publication: its offset and its data as JSON text. */
export interface WireHistoryRecord {
  offset: number;
  data: string;
}

/**
 * A read's answer: the publications asked for, oldest first, and the stream's position (`offset`
 * of its last publish, `epoch`). A stream that does not exist answers `offset: 0, epoch: ''`.
 * `truncated`: the oldest of them were left out to keep the answer under the service's
 * `maxHistoryReadBytes` (the publications returned are still the newest, without gaps).
 */
export interface HistoryResponse {
  publications: WireHistoryRecord[];
  offset: number;
  epoch: string;
  truncated?: boolean;
}

/** The limits of idempotency keys, shared by the service's validation and the broker. */
export const KEY_LIMITS = {
  /** Longest key in characters; the broker hashes a longer one (see `wireKey`). */
  maxKeyLength: 512,
  /** Most keys in one `POST /v1/claims`; the broker splits a bigger turn. */
  maxClaimKeys: 1000,
} as const;

/** `POST /v1/claims`: claim keys for `ttlMs` (each fresh one is recorded, in order). */
export interface ClaimsRequest {
  ttlMs: number;
  keys: string[];
}

/** `fresh[i]`: nobody published with or claimed `keys[i]` within its window; now it is recorded. */
export interface ClaimsResponse {
  fresh: boolean[];
}

/**
 * The commands relayed to every live node (same shape as the server's `ControlCommand`): the
 * cluster-wide operations, a direct message for one connection or one user's connections
 * (`sendTo`, `sendToUser`), and a node's answer to one (`reached`, applied by its `origin` only).
 */
export type WireControl =
  | { kind: 'kickUser'; userId: string; reason?: string }
  | { kind: 'unsubscribeUser'; userId: string; topic: string }
  | { kind: 'removeTopic'; topic: string }
  | { kind: 'sendTo'; clientId: string; topic: string; data: string; requestId: string; origin: string }
  | { kind: 'sendToUser'; userId: string; topic: string; data: string; requestId: string; origin: string }
  | { kind: 'reached'; requestId: string; origin: string; nodeId: string; connections: number };

/**
 * Where a relayed entry came from: `origin` names one node process, `seq` its sequence there
 * (growing). A receiving broker skips an entry whose `seq` is at or below the last one it
 * applied from that origin: a resend (after a timeout or a service restart) arrives once.
 * Absent when the origin sent no sequence (an older node).
 */
export interface WireOrigin {
  origin?: string;
  seq?: number;
}

/** A history publish's place in its topic's stream, as a relayed entry carries it. */
export interface WirePosition {
  offset?: number;
  epoch?: string;
}

/**
 * Presence (issue 19): one member's connections on one node for one presence topic, as the node
 * reports it (the server's `PresenceUpdate`): after the change, `connections` of the member's
 * connections on this node hold the topic (0: none left here). `info` is JSON text.
 */
export interface WirePresenceUpdate {
  topic: string;
  memberId: string;
  info: string;
  connections: number;
}

/** The bounds of presence the service accepts (beyond them a request is `400 bad_request`). */
export const PRESENCE_LIMITS = {
  /** Longest member id, in characters. */
  maxMemberIdLength: 256,
  /** Largest `info`, in bytes of UTF-8 JSON text (the server's `MAX_PRESENCE_INFO_BYTES`). */
  maxInfoBytes: 1024,
  /** Most members one `GET /v1/topics/:topic/presence` may ask for (the server's largest `maxMembers`). */
  maxListLimit: 100_000,
} as const;

/**
 * `POST /v1/nodes/:id/presence`: this node's presence changes (the latest per topic and member
 * wins). A full write after (re)registration spans one or more requests: the first says `full`,
 * the last says `complete`; shares of this node not written in between go (their members leave
 * where this node was their last place).
 */
export interface PresenceRequest {
  epoch?: string;
  full?: boolean;
  complete?: boolean;
  updates: WirePresenceUpdate[];
}

/** The answer: `refused` new members not kept because a cap was reached (see the README's "Presence"). */
export interface PresenceUpdateResponse {
  ok: true;
  refused: number;
}

/** A member of a topic, cluster-wide: its connections summed over the nodes. */
export interface WirePresenceEntry {
  memberId: string;
  info: string;
  connections: number;
}

/** `GET /v1/topics/:topic/presence?limit=N`: at most `limit` members; `total` counts them all. */
export interface PresenceListResponse {
  topic: string;
  members: WirePresenceEntry[];
  total: number;
}

/**
 * Cluster-wide transitions of a topic's members (the server's `PresenceChange`), queued for every
 * node with subscribers of the topic, the one that caused them included.
 */
export interface WirePresenceChange {
  topic: string;
  joined: Array<{ memberId: string; info: string }>;
  left: Array<{ memberId: string; info: string }>;
  members: number;
}

/** One entry of a node's outbox, as a poll response carries it. */
export type WireItem =
  | ({ kind: 'message' } & WireMessage & WireOrigin & WirePosition)
  | ({ kind: 'control'; command: WireControl } & WireOrigin)
  | ({ kind: 'presence' } & WirePresenceChange);

export interface RegisterResponse {
  nodeId: string;
  epoch: string;
  /**
   * The service instance (one process start). A node registering again sends the one it had as
   * `previous`; another value tells the service it restarted (the restart grace), and tells the
   * node that the service may have lost what it last accepted (the node replays it).
   */
  instance: string;
  /**
   * This registration's secret: every later request of the node must send it in the
   * `x-firetower-session` header, or it is refused `409 unknown_node`. Never listed anywhere.
   */
  session: string;
  /** The service's lease: poll at least this often or be declared dead. */
  leaseMs: number;
  /** The longest `wait` a poll may ask for. */
  maxWaitMs: number;
  /** The most messages one publish batch (or count changes one counts batch) may hold. */
  maxBatch: number;
}

/**
 * A poll's answer. `items` are the outbox entries numbered `from`..`cursor` (contiguous);
 * the next poll acknowledges them with `ack=<cursor>`. `from > previous ack + 1` means the
 * outbox overflowed and `from - ack - 1` entries were dropped (also reported as `dropped`).
 */
export interface PollResponse {
  from: number;
  cursor: number;
  items: WireItem[];
  /** Entries dropped by the outbox overflow policy since the previous poll. */
  dropped: number;
  /** Topics this node has whose cluster-wide count changed (a hint, not acknowledged). */
  counts: string[];
}

export interface TopicsResponse {
  topics: WireCount[];
}

export interface TopicResponse {
  topic: string;
  count: number;
  exists: boolean;
}

export interface NodeInfo {
  nodeId: string;
  /** The node process's public name on relayed entries (a hash: the epoch itself is never listed). */
  origin: string;
  /** ms since the node last polled (0 while a poll is held). */
  lagMs: number;
  /** A long-poll of this node is being held right now. */
  polling: boolean;
  /** Topics with local subscribers on that node. */
  topics: number;
  /** Entries waiting in its outbox. */
  outbox: number;
  /** Entries dropped by the overflow policy since it registered. */
  dropped: number;
  /** Entries queued for it since it registered: a node without subscribers of a topic gets none of it. */
  received: number;
  registeredAt: number;
}

export interface NodesResponse {
  nodes: NodeInfo[];
}

/**
 * The code of an error body: protocol's `TopicServiceErrorCode`, where each code's meaning and HTTP
 * status (`TopicServiceErrorStatus`) are listed once. An alias, not a re-export, so the bundled
 * declarations export it as a type only.
 */
export type TopicServiceErrorCode = ErrorCode;

export interface ErrorBody {
  error: { code: TopicServiceErrorCode; message: string };
}
