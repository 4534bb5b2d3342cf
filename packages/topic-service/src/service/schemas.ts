import { z } from 'zod';
import { HISTORY_LIMITS, KEY_LIMITS, PRESENCE_LIMITS } from '../wire.js';

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

/** A presence member: a user id or an anonymous connection's `client:<id>`; NUL is the table's separator. */
const memberId = z
  .string()
  .min(1)
  .max(PRESENCE_LIMITS.maxMemberIdLength)
  .refine((value) => !value.includes('\u0000'), 'must not contain NUL');

/** JSON text: it is spliced into join/leave frames as is, so anything else would break them. */
function isJsonText(value: string): boolean {
  try {
    JSON.parse(value);
    return true;
  } catch {
    return false;
  }
}

/** What a member shows: JSON text of at most `maxInfoBytes` bytes (checked on length first, so a huge string is never parsed). */
const presenceInfo = z
  .string()
  .max(PRESENCE_LIMITS.maxInfoBytes)
  .refine((value) => Buffer.byteLength(value) <= PRESENCE_LIMITS.maxInfoBytes, `must be at most ${PRESENCE_LIMITS.maxInfoBytes} bytes`)
  .refine(isJsonText, 'must be JSON text');

export const presenceBody = z
  .object({
    epoch: id.optional(),
    /** The first request of a full write. */
    full: z.boolean().optional(),
    /** The last request of a full write: the node's shares not written since `full` go. */
    complete: z.boolean().optional(),
    updates: z.array(
      z
        .object({
          topic,
          memberId,
          info: presenceInfo,
          connections: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
        })
        .strict(),
    ),
  })
  .strict();

export const presenceListQuery = z.object({
  /** At most this many members (default and most: `PRESENCE_LIMITS.maxListLimit`). */
  limit: z
    .string()
    .regex(/^\d{1,6}$/, 'a non-negative integer')
    .transform(Number)
    .pipe(z.number().int().min(0).max(PRESENCE_LIMITS.maxListLimit))
    .optional(),
});

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
