/**
 * The service's limits and the shapes its core hands out (kept apart from the core's logic).
 */

export interface TopicServiceLimits {
  /** A node that has not polled for this long is dead. @default 15000 */
  leaseMs: number;
  /** The longest a poll may be held. @default 20000 */
  maxWaitMs: number;
  /** Most messages (or count changes) in one request. @default 5000 */
  maxBatch: number;
  /** Outbox entries per node before drop-oldest. @default 50000 */
  maxOutboxEntries: number;
  /** Outbox size per node (UTF-16 units of JSON) before drop-oldest. @default 64 MiB */
  maxOutboxBytes: number;
  /** Most entries in one poll response. @default 10000 */
  maxPollItems: number;
  /** About the largest poll response (the first entry always fits). @default 4 MiB */
  maxPollBytes: number;
  /** Idempotency keys kept at once; beyond it the oldest is dropped early. @default 200000 */
  maxKeys: number;
  /** Longest a key is kept, whatever ttl a node asks for. @default 3600000 (1 hour) */
  maxKeyTtlMs: number;
  /**
   * After a restart (the first node that registers says it was registered with another service
   * instance), publishes and commands are held this long while the other nodes re-register, then
   * relayed. Longer than the nodes' retry delay (`backoffMaxMs`, 5000 by default). 0 = off.
   * @default 6000
   */
  graceMs: number;
  /** History streams kept at once; beyond it the least recently published goes whole. @default 100000 */
  maxHistoryStreams: number;
  /**
   * About the memory of all history streams (data length plus a measured per-entry overhead);
   * beyond it the least recently published stream goes whole. @default 268435456 (256 MiB)
   */
  maxHistoryBytes: number;
  /** About the largest `POST /v1/history` answer (data length); the oldest asked for are left out beyond it. @default 4 MiB */
  maxHistoryReadBytes: number;
  /**
   * Presence members one node may hold on one topic (the server's largest `maxMembers`); a new
   * member past it is refused (not listed, no join) and counted. @default 100000
   */
  maxPresenceMembers: number;
  /**
   * Presence shares (member × topic × node) kept in all: about 230 bytes for a member on one node
   * with a short id and info, 60 more per further node, plus its info's length (the README's
   * "Presence"); a new share past it is refused and counted. @default 500000 (about 115 MB)
   */
  maxPresenceShares: number;
}

export const defaultLimits: TopicServiceLimits = {
  leaseMs: 15_000,
  maxWaitMs: 20_000,
  maxBatch: 5_000,
  maxOutboxEntries: 50_000,
  maxOutboxBytes: 64 * 1024 * 1024,
  maxPollItems: 10_000,
  maxPollBytes: 4 * 1024 * 1024,
  maxKeys: 200_000,
  maxKeyTtlMs: 60 * 60 * 1000,
  graceMs: 6000,
  maxHistoryStreams: 100_000,
  maxHistoryBytes: 256 * 1024 * 1024,
  maxHistoryReadBytes: 4 * 1024 * 1024,
  maxPresenceMembers: 100_000,
  maxPresenceShares: 500_000,
};

/**
 * What a node request proves about its sender: `session` is the secret its registration got
 * (required: without the right one a request is `unknown_node`), `epoch` optionally the process.
 */
export interface NodeCredentials {
  session?: string | undefined;
  epoch?: string | undefined;
}

/** What a publish request did: relayed now, held for the restart grace, or skipped as a resend. */
export interface PublishOutcome {
  /** Outbox entries queued now (a held message counts when it is released). */
  deliveries: number;
  /** Messages held by the restart grace. */
  held: number;
  /** Messages skipped: their sequence was applied already (a resent batch). */
  duplicates: number;
}

/** What the key store did since the service started, for status and tests. */
export interface KeyStats {
  /** Keys held now (expired ones leave at the next sweep). */
  keys: number;
  /** `POST /v1/claims` requests answered. */
  claimRequests: number;
  /** Claims answered fresh (the key was recorded). */
  fresh: number;
  /** Claims answered taken (a duplicate). */
  taken: number;
  /** Keys recorded from publishes. */
  published: number;
  /** Keys dropped by `maxKeys` before their ttl ran out. */
  evicted: number;
}

export type ServiceState = 'running' | 'closed';
