import type { ErrorCode } from './codes.js';
import type { SinceRequest, StreamState } from './history.js';

/** The text frame both sides send to show they are alive; the original client ignores it. */
export const HEARTBEAT = 'heartbeat';

// ---------------------------------------------------------------------------------------------
// Client → server, after parsing. On the wire the original client sends
//   {"type":"subscribe","topic":"/a,/b","data":""}
//   {"type":"unSubscribe","topic":"/a","data":""}
//   {"type":"publish","topic":"/a","data":{...}}
// and the new client adds an `id` (ack correlation and idempotency key), topics as a JSON array,
// and `excludeSelf` and `retry` on publish. The codec normalises both into these shapes.
// ---------------------------------------------------------------------------------------------

export interface SubscribeFrame {
  type: 'subscribe';
  topics: string[];
  id?: string;
  /**
   * History to replay, per topic of `topics` (a topic without history ignores it): recover after a
   * position, or catch up on the newest publications. Absent: live only.
   */
  since?: Record<string, SinceRequest>;
  /** Send `join` / `leave` events of these topics' members (topics with presence only). */
  presence?: boolean;
}

export interface UnsubscribeFrame {
  type: 'unsubscribe';
  topics: string[];
  id?: string;
}

export interface PublishFrame {
  type: 'publish';
  topic: string;
  /** The parsed `data` value (any JSON). */
  data: unknown;
  id?: string;
  /** Do not deliver this message back to the publishing connection. */
  excludeSelf?: boolean;
  /**
   * This is a re-send of a publish with the same `id` that may have reached another node already
   * (the client reconnected before its ack came); the server checks the id across the cluster.
   */
  retry?: boolean;
}

/**
 * Renew the connection's credentials before they expire (the server's `refresh` hook checks them):
 * `{"type":"refresh","id":"9","credentials":{"token":"…"}}`. Values are strings (what a query
 * string carries at connect).
 */
export interface RefreshFrame {
  type: 'refresh';
  credentials: Record<string, string>;
  id?: string;
}

/**
 * Who is on a topic the connection subscribed (a topic with presence):
 * `{"type":"presence","topic":"/chat/a","id":"4"}`, answered by an ack with `presence`.
 */
export interface PresenceQueryFrame {
  type: 'presence';
  topic: string;
  id?: string;
}

export type ClientFrame = SubscribeFrame | UnsubscribeFrame | PublishFrame | RefreshFrame | PresenceQueryFrame;

// ---------------------------------------------------------------------------------------------
// Server → client.
// ---------------------------------------------------------------------------------------------

/**
 * A message on a topic: `{"type":"publish","topic":"/a","data":...}`. On a topic with history it
 * also carries its stream position: `"offset":12,"epoch":"k3x9"` (the original client ignores both).
 */
export interface DeliveryFrame<T = unknown> {
  type: 'publish';
  topic: string;
  data: T;
  offset?: number;
  epoch?: string;
}

export interface RefusedTopic {
  topic: string;
  code: ErrorCode;
  reason: string;
}

/** Sent for a client frame that carried an `id`, once the server has handled it. */
export interface AckFrame {
  type: 'ack';
  id: string;
  /** Subscribe / unsubscribe: the topics the operation applied to. */
  topics?: string[];
  /** Subscribe: the topics that were refused, with why. */
  refused?: RefusedTopic[];
  /** Publish: the message was a retry of one already accepted (idempotency key seen). */
  duplicate?: boolean;
  /** Presence query: the topic's members, cluster-wide (`truncated` with no list above its `maxMembers`). */
  presence?: PresenceList;
  /** Refresh: the new credentials expire in this many ms (absent: they do not expire). */
  expiresInMs?: number;
  /**
   * Subscribe: each subscribed topic that keeps history, with its stream position and, when the
   * frame asked to recover it, whether that worked. The replayed publications follow the ack.
   */
  streams?: Record<string, StreamState>;
}

/** Something the client sent was refused or invalid. `id` echoes the frame's id when it had one. */
export interface ErrorFrame {
  type: 'error';
  code: ErrorCode;
  message: string;
  id?: string;
  topic?: string;
}

/** A member of a topic: a user (its userId) or an anonymous connection (its clientId). */
export interface PresenceMember {
  id: string;
  /** What the server's `authenticate` said the member shows (e.g. `{ "name": "Ada" }`); `null` when nothing. */
  info: unknown;
  /** The member's connections on the topic, cluster-wide (presence queries only). */
  connections?: number;
}

export interface PresenceList {
  members: PresenceMember[];
  /** Distinct members. */
  total: number;
  /** More than the topic's `maxMembers`: `members` is empty, only `total` is given. */
  truncated: boolean;
}

/** A member's first connection on a topic anywhere in the cluster (`join`), or its last one gone (`leave`, debounced). */
export interface PresenceEventFrame {
  type: 'join' | 'leave';
  topic: string;
  member: PresenceMember;
}

/**
 * Sent once after connect when the credentials expire: `{"type":"session","expiresInMs":3600000}`.
 * The client sends a `refresh` frame before then, or the server closes with 4005 (`AuthExpired`).
 */
export interface SessionFrame {
  type: 'session';
  expiresInMs: number;
}

export type ServerFrame = DeliveryFrame | AckFrame | ErrorFrame | SessionFrame | PresenceEventFrame;
