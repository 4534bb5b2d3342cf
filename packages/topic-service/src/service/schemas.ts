import { z } from 'zod';
import { HISTORY_LIMITS, KEY_LIMITS } from '../wire.js';

/** Node ids and epochs: printable, short, safe in a URL path. */
const id = z.string().min(1).max(200);
const topic = z.string().min(1).max(1024);
/** An idempotency key: opaque text, bounded so the key store stays small. */
const key = z.string().min(1).max(KEY_LIMITS.maxKeyLength);
/** How long a key is kept, in ms (the service clamps it to its `maxKeyTtlMs`). */
const ttlMs = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

/** A node's entry sequence: positive, growing for the life of its process. */
const seq = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

export const registerBody = z
  .object({
    nodeId: id,
    epoch: id,
    /** The service instance this node was registered with before (a resume after a restart). */
    previous: id.optional(),
  })
  .strict();

export const countsBody = z
  .object({
    epoch: id.optional(),
    full: z.boolean().optional(),
    changes: z.array(z.object({ topic, count: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER) }).strict()),
  })
  .strict();

/** A topic's history policy: bounded so one topic's stream stays small (`HISTORY_LIMITS`). */
const historyTtlMs = z.number().int().min(1).max(HISTORY_LIMITS.maxTtlMs);
const historyPolicy = z
  .object({
    size: z.number().int().min(0).max(HISTORY_LIMITS.maxSize),
    ttlMs: historyTtlMs,
    metaTtlMs: historyTtlMs,
  })
  .strict();

export const publishBody = z
  .object({
    epoch: id.optional(),
    /** How long the messages' keys are kept (the node's dedupe window). */
    keyTtlMs: ttlMs.optional(),
    /** The first message's sequence; the others follow it. */
    seq: seq.optional(),
    messages: z.array(
      z
        .object({
          topic,
          data: z.string().max(16 * 1024 * 1024),
          exclude: z.string().max(200).optional(),
          key: key.optional(),
          history: historyPolicy.optional(),
        })
        .strict(),
    ),
  })
  .strict();

export const claimsBody = z
  .object({
    ttlMs,
    keys: z.array(key).min(1).max(KEY_LIMITS.maxClaimKeys),
  })
  .strict();

export const historyBody = z
  .object({
    topic,
    /** Only publications with an offset above this. */
    after: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
    /** At most this many, the newest (0: the position only). */
    limit: z.number().int().min(0).max(HISTORY_LIMITS.maxLimit),
    policy: historyPolicy.optional(),
  })
  .strict();

/** A relayed message's data: JSON text, as in a publish. */
const data = z.string().max(16 * 1024 * 1024);
const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const controlCommand = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('kickUser'), userId: id, reason: z.string().max(1024).optional() }).strict(),
  z.object({ kind: z.literal('unsubscribeUser'), userId: id, topic }).strict(),
  z.object({ kind: z.literal('removeTopic'), topic }).strict(),
  z.object({ kind: z.literal('sendTo'), clientId: id, topic, data, requestId: id, origin: id }).strict(),
  z.object({ kind: z.literal('sendToUser'), userId: id, topic, data, requestId: id, origin: id }).strict(),
  z.object({ kind: z.literal('reached'), requestId: id, origin: id, nodeId: id, connections: count }).strict(),
]);

export const controlBody = z.object({ epoch: id.optional(), seq: seq.optional(), command: controlCommand }).strict();

export const leaveQuery = z.object({ epoch: id.optional() });

const nonNegativeInt = z
  .string()
  .regex(/^\d{1,15}$/, 'a non-negative integer')
  .transform(Number);

export const pollQuery = z.object({
  epoch: id.optional(),
  /** The cursor of the last response the node processed (0 before the first). */
  ack: nonNegativeInt.optional(),
  /** How long to hold the poll when nothing is queued, in ms (0 = answer at once). */
  wait: nonNegativeInt.optional(),
});

export const nodeIdParam = id;
export const topicParam = topic;
