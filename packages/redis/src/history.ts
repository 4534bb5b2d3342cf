/**
 * A history topic's stream in Redis: the one script that appends a publish and relays it, and
 * the read.
 *
 * Per topic, two keys (see `keys.ts`): a stream `<prefix>hist:<topic>` whose entry ids are the
 * offsets (`<offset>-0`, fields `t` = Redis time in ms, `d` = the data as JSON text), and a hash
 * `<prefix>hmeta:<topic>` with the last offset (`o`) and the epoch (`e`). The append runs as one
 * script: offset, entry, trims, expiries and the PUBLISH happen atomically, so the order of the
 * offsets is the order in which Redis relays the messages, on every node.
 */
import { randomBytes } from 'node:crypto';
import type { HistoryPolicy, HistoryQuery, HistoryRead, HistoryRecord } from '@firetower/server';
import { RedisBrokerError, withinDeadline } from './errors.js';
import type { RedisKeys } from './keys.js';
import { type Client, NOW, runScript, script } from './scripts.js';
import { historyExcludeSuffix } from './wire.js';

/**
 * Append one publish to its topic's stream and PUBLISH it with its position.
 * KEYS: meta, stream. ARGV: epoch (used only when the meta is new), size, ttlMs, metaTtlMs,
 * channel, exclude suffix ('' or `,<JSON clientId>`), data. Returns the offset.
 *
 * A new meta starts a new epoch and drops whatever the stream still held: offsets restart at 1,
 * and entries of the old epoch would mean nothing in the new one (XADD would also refuse ids
 * below the old stream's last id). Age trim: entries are appended in Redis-clock order, so the
 * expired ones are the oldest; the common case (the oldest is fresh) costs one XRANGE COUNT 1.
 */
export const HISTORY_APPEND = script(`${NOW}
local size = tonumber(ARGV[2])
local ttl = tonumber(ARGV[3])
local epoch = redis.call('HGET', KEYS[1], 'e')
if not epoch then
  epoch = ARGV[1]
  redis.call('DEL', KEYS[1], KEYS[2])
  redis.call('HSET', KEYS[1], 'e', epoch)
end
local offset = redis.call('HINCRBY', KEYS[1], 'o', 1)
if size > 0 then
  redis.call('XADD', KEYS[2], 'MAXLEN', size, string.format('%d-0', offset), 't', now, 'd', ARGV[7])
  local cutoff = now - ttl
  local oldest = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)[1]
  if oldest and tonumber(oldest[2][2]) < cutoff then
    local from = '-'
    local keep = nil
    repeat
      local batch = redis.call('XRANGE', KEYS[2], from, '+', 'COUNT', 100)
      for _, entry in ipairs(batch) do
        if tonumber(entry[2][2]) >= cutoff then
          keep = entry[1]
          break
        end
      end
      if not keep and #batch > 0 then from = '(' .. batch[#batch][1] end
    until keep or #batch < 100
    if keep then redis.call('XTRIM', KEYS[2], 'MINID', keep) else redis.call('DEL', KEYS[2]) end
  end
  redis.call('PEXPIRE', KEYS[2], ttl)
else
  redis.call('DEL', KEYS[2])
end
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[4]))
redis.call('PUBLISH', ARGV[5], '[' .. string.format('%d', offset) .. ',' .. cjson.encode(epoch) .. ARGV[6] .. ']\\n' .. ARGV[7])
return offset
`);

/**
 * Read a stream: the newest `limit` entries from `start` on that are not older than `ttlMs`,
 * oldest first, after the position. Read-only: a missing meta answers `[0, '']`.
 * KEYS: meta, stream. ARGV: start id (`<after + 1>-0`), limit, ttlMs.
 * Returns a flat list: offset, epoch, then offset, data per publication.
 */
export const HISTORY_READ = script(`
local meta = redis.call('HMGET', KEYS[1], 'o', 'e')
local epoch = meta[2]
if not epoch then return { 0, '' } end
local reply = { tonumber(meta[1]) or 0, epoch }
local limit = tonumber(ARGV[2])
if limit > 0 then
  ${NOW}
  local cutoff = now - tonumber(ARGV[3])
  local rows = redis.call('XREVRANGE', KEYS[2], '+', ARGV[1], 'COUNT', limit)
  for i = #rows, 1, -1 do
    local fields = rows[i][2]
    if tonumber(fields[2]) >= cutoff then
      reply[#reply + 1] = tonumber(string.match(rows[i][1], '^%d+'))
      reply[#reply + 1] = fields[4]
    end
  end
end
return reply
`);

/**
 * The most publications one read returns, whatever the policy says (the server allows `size` up
 * to 10 000): one reply stays a bounded few MB.
 */
export const MAX_READ = 10_000;

/**
 * Epoch candidates: one per append, used only by the append that creates a stream's meta. Unique
 * per call (a random per-process tag and a counter), so a stream recreated by the same node never
 * gets its old epoch back; 12 + up to 11 characters, well under the protocol's 64.
 */
export class EpochSource {
  private readonly tag = randomBytes(9).toString('base64url');
  private count = 0;

  next(): string {
    this.count += 1;
    return this.tag + this.count.toString(36);
  }
}

/** The ARGV of `HISTORY_APPEND` after the epoch: the policy as whole numbers Redis accepts. */
export function appendPolicyArgs(policy: HistoryPolicy): [size: string, ttlMs: string, metaTtlMs: string] {
  const size = wholeAtLeast(policy.size, 0, Math.floor);
  const ttlMs = wholeAtLeast(policy.ttlMs, 1, Math.ceil);
  // The position must outlive the publications it numbers, else the next append would drop them.
  const metaTtlMs = Math.max(ttlMs, wholeAtLeast(policy.metaTtlMs, 1, Math.ceil));
  return [String(size), String(ttlMs), String(metaTtlMs)];
}

function wholeAtLeast(value: number, min: number, round: (n: number) => number): number {
  return Number.isFinite(value) ? Math.max(min, round(value)) : min;
}

/** What one append needs besides the connection and the key names. */
export interface HistoryAppend {
  topic: string;
  channel: string;
  policy: HistoryPolicy;
  exclude: string | undefined;
  data: string;
  /** Tells the publisher when Redis stored it. */
  receipt: AppendReceipt;
}

/**
 * When one history publish was stored: `stored` settles with its append (sent at the call, or
 * later from the outage buffer), so `publish()` can resolve once `history()` on any node sees it.
 */
export class AppendReceipt {
  /** Set once the append was sent to Redis. */
  sent = false;
  readonly stored: Promise<void>;
  private settle!: (append: Promise<unknown>) => void;

  constructor() {
    this.stored = new Promise<void>((resolve, reject) => {
      this.settle = (append) => void append.then(() => resolve(), reject);
    });
    // Nobody may be waiting (a buffered publish whose caller stopped waiting): not an unhandled rejection.
    this.stored.catch(() => undefined);
  }

  track(append: Promise<unknown>): void {
    this.sent = true;
    this.settle(append);
  }

  /** `stored`, or resolved after `ms` when the append has not been sent by then (it waits in the outage buffer). */
  storedWithin(ms: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (!this.sent) resolve();
      }, ms);
      timer.unref();
      this.stored.then(resolve, reject).finally(() => clearTimeout(timer));
    });
  }
}

/**
 * Run `HISTORY_APPEND` for one publish: resolves with its offset once Redis stored and relayed
 * it; rejects with `history_failed` on an error reply (e.g. OOM, WRONGTYPE) or when the connection
 * dropped with it in flight. No deadline: under a burst, appends queue behind each other on the
 * connection, and rejecting one that Redis will still run would invite a duplicate retry.
 */
export async function appendHistory(pub: Client, keys: RedisKeys, append: HistoryAppend, epoch: string): Promise<number> {
  const { topic, channel, policy, exclude, data } = append;
  const args = [epoch, ...appendPolicyArgs(policy), channel, historyExcludeSuffix(exclude), data];
  let reply: unknown;
  try {
    reply = await runScript(pub, HISTORY_APPEND, [keys.historyMeta(topic), keys.historyStream(topic)], args);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new RedisBrokerError('history_failed', `a history append to ${topic} failed: ${why}`, { cause: error });
  }
  if (typeof reply !== 'number') throw new RedisBrokerError('history_failed', `unexpected reply to a history append to ${topic}`);
  return reply;
}

/**
 * How a read lines up with the node's live deliveries (see the broker's `history`): `before`
 * settles once the node's pending SUBSCRIBEs are confirmed; `after` once every message Redis
 * relayed to this node before the read has been delivered.
 */
export interface ReadFence {
  before: Promise<void>;
  after: () => Promise<void>;
}

/**
 * Read a topic's stream between the fences. `limit` is capped at the policy's size (one read never
 * carries more than a topic keeps). Rejects with `history_failed` on an error reply, a lost
 * connection, or no answer within `timeoutMs` (node-redis would otherwise hold the command while
 * the link is down).
 */
export function readHistory(pub: Client, keys: RedisKeys, topic: string, query: HistoryQuery, fence: ReadFence, timeoutMs: number): Promise<HistoryRead> {
  const after = Number.isSafeInteger(query.after) && query.after! > 0 ? query.after! : 0;
  const [size, ttlMs] = appendPolicyArgs(query.policy);
  const limit = Math.min(MAX_READ, Number(size), Number.isFinite(query.limit) ? Math.max(0, Math.floor(query.limit)) : 0);
  const reply = fence.before
    .then(() => runScript(pub, HISTORY_READ, [keys.historyMeta(topic), keys.historyStream(topic)], [`${after + 1}-0`, String(limit), ttlMs]))
    .then(async (value) => {
      await fence.after();
      return value;
    });
  return withinDeadline('history_failed', reply, timeoutMs, `a history read of ${topic}`, parseRead);
}

/** `HISTORY_READ`'s flat reply as a `HistoryRead`; undefined when it is not that shape. */
export function parseRead(reply: unknown): HistoryRead | undefined {
  if (!Array.isArray(reply) || reply.length % 2 !== 0) return undefined;
  const [offset, epoch] = reply as unknown[];
  if (typeof offset !== 'number' || typeof epoch !== 'string') return undefined;
  const publications: HistoryRecord[] = [];
  for (let i = 2; i < reply.length; i += 2) {
    const entryOffset: unknown = reply[i];
    const data: unknown = reply[i + 1];
    if (typeof entryOffset !== 'number' || typeof data !== 'string') return undefined;
    publications.push({ offset: entryOffset, data });
  }
  return { publications, offset, epoch };
}
