import { z } from 'zod';
import { HISTORY_LIMITS, PRESENCE_LIMITS } from './wire.js';

/**
 * The service's replies as schemas: the service's contract tests check its real answers against
 * them, and the broker checks every answer it gets. An answer that does not fit is `bad_response`
 * (the broker backs off and shows the problem; it never acts on it).
 */

const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
/** Outbox sequence numbers: integers the service counts up from 1 (0 = nothing yet). */
const position = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const text = z.string().max(1024);

export const okReply = z.object({ ok: z.literal(true) }).loose();

export const registerReply = z
  .object({
    nodeId: z.string(),
    epoch: z.string(),
    instance: z.string().min(1).max(200),
    session: z.string().min(16).max(200),
    leaseMs: z.number().int().min(1),
    maxWaitMs: z.number().int().min(0),
    maxBatch: z.number().int().min(1),
  })
  .loose();

export const publishReply = z.object({ ok: z.literal(true), accepted: count, deliveries: count, held: count.optional(), duplicates: count.optional() }).loose();

export const controlReply = z.object({ ok: z.literal(true), deliveries: count, held: count.optional(), duplicates: count.optional() }).loose();

const control = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('kickUser'), userId: z.string(), reason: z.string().optional() }),
  z.object({ kind: z.literal('unsubscribeUser'), userId: z.string(), topic: z.string() }),
  z.object({ kind: z.literal('removeTopic'), topic: z.string() }),
  z.object({ kind: z.literal('sendTo'), clientId: z.string(), topic: z.string(), data: z.string(), requestId: z.string(), origin: z.string() }),
  z.object({ kind: z.literal('sendToUser'), userId: z.string(), topic: z.string(), data: z.string(), requestId: z.string(), origin: z.string() }),
  z.object({ kind: z.literal('reached'), requestId: z.string(), origin: z.string(), nodeId: z.string(), connections: count }),
]);

/** A stream offset: counted from 1 in each epoch. */
const offset = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
const epoch = z.string().min(1).max(HISTORY_LIMITS.maxEpochLength);

const origin = { origin: z.string().max(512).optional(), seq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional() };

/** A member in a presence change: its id and what it shows (JSON text, spliced into frames by the node). */
const memberId = z.string().min(1).max(PRESENCE_LIMITS.maxMemberIdLength);
/** JSON text only: a node splices it into its frames as is, so anything else would corrupt them. */
const info = z
  .string()
  .max(PRESENCE_LIMITS.maxInfoBytes)
  .refine((value) => {
    try {
      JSON.parse(value);
      return true;
    } catch {
      return false;
    }
  }, 'must be JSON text');
const presenceMember = z.object({ memberId, info }).loose();

export const wireItem = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('message'),
    topic: z.string().min(1),
    data: z.string(),
    exclude: z.string().optional(),
    ...origin,
    offset: offset.optional(),
    epoch: epoch.optional(),
  }),
  z.object({ kind: z.literal('control'), command: control, ...origin }),
  z.object({
    kind: z.literal('presence'),
    topic: z.string().min(1),
    joined: z.array(presenceMember),
    left: z.array(presenceMember),
    members: count,
  }),
]);

export const pollReply = z
  .object({
    from: position.min(1),
    cursor: position,
    items: z.array(wireItem),
    dropped: count,
    counts: z.array(z.string()),
  })
  .loose()
  .refine((r) => r.cursor - r.from + 1 === r.items.length, { message: 'cursor - from + 1 must equal the number of items' });

export const topicsReply = z.object({ topics: z.array(z.object({ topic: z.string(), count }).loose()) }).loose();

export const topicReply = z.object({ topic: z.string(), count, exists: z.boolean() }).loose();

export const nodesReply = z.object({ nodes: z.array(z.object({ nodeId: z.string(), lagMs: z.number().min(0), topics: count }).loose()) }).loose();

export const claimsReply = z.object({ fresh: z.array(z.boolean()) }).loose();

export const errorReply = z.object({ error: z.object({ code: z.string().max(64), message: text.or(z.string()) }).loose() }).loose();

/**
 * `POST /v1/history`'s answer: publications oldest first with growing offsets, none above the
 * stream's offset; a stream that does not exist is `offset: 0, epoch: ''` with none.
 */
export const historyReply = z
  .object({
    publications: z.array(z.object({ offset, data: z.string() }).loose()).max(HISTORY_LIMITS.maxLimit),
    offset: count,
    epoch: epoch.or(z.literal('')),
    truncated: z.boolean().optional(),
  })
  .loose()
  .refine((r) => r.publications.every((p, i, all) => p.offset <= r.offset && (i === 0 || all[i - 1]!.offset < p.offset)), {
    message: 'publications must grow in offset, none above the stream offset',
  })
  .refine((r) => (r.epoch === '') === (r.offset === 0), { message: 'an epoch exactly when the stream has an offset' });

export const presenceUpdateReply = z.object({ ok: z.literal(true), refused: count }).loose();

/** `GET /v1/topics/:topic/presence`'s answer: members with at least one connection, no more than `total`. */
export const presenceListReply = z
  .object({
    topic: z.string(),
    members: z.array(z.object({ memberId, info, connections: count.min(1) }).loose()),
    total: count,
  })
  .loose()
  .refine((r) => r.members.length <= r.total, { message: 'more members than total' });
