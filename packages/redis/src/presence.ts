/**
 * Presence in Redis: the script that writes a batch of one node's updates and announces the
 * cluster-wide transitions, and the read of a topic's members.
 *
 * Per topic one hash `<prefix>pres:<topic>` (member → `<total> <info>`, HLEN = distinct members);
 * per node one hash `<prefix>pshare:<nodeId>` (its share of every member it holds). Both change
 * only inside scripts, together, so a member's total is always the sum of the shares. Neither has
 * a TTL: a node's shares leave with it (its `LEAVE`, or the heartbeat sweep once its lease ran
 * out; see `scripts.ts`), and a topic's hash vanishes with its last member.
 */
import type { PresenceEntry, PresenceUpdate } from '@firetower/server';
import { withinDeadline } from './errors.js';
import type { RedisKeys } from './keys.js';
import { PRESENCE_LUA } from './presence-lua.js';
import { type Client, NOW, runScript, script } from './scripts.js';

/**
 * Set (or drop) some of this node's shares and PUBLISH the transitions (one event per changed topic).
 * KEYS: nodes, this node's shares. ARGV: nodeId, mode, presence topic prefix, topic channel prefix,
 * then for mode 'set' topic, member, connections, info per update; for mode 'drop' share fields
 * (as `HSCAN` gave them), each set to 0.
 *
 * Returns 0 without writing when this node's lease has run out: a sweep may have taken (or be
 * about to take) its shares, so the caller re-registers the node and rewrites them in full.
 */
export const PRESENCE_WRITE = script(`${NOW}${PRESENCE_LUA}
local deadline = redis.call('ZSCORE', KEYS[1], ARGV[1])
if (not deadline) or tonumber(deadline) <= now then return 0 end
if ARGV[2] == 'drop' then
  presence_drop_fields(ARGV[3], KEYS[2], { unpack(ARGV, 5) })
else
  for i = 5, #ARGV, 4 do
    presence_set(ARGV[3], KEYS[2], ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2]) or 0, ARGV[i + 3])
  end
end
presence_announce(ARGV[3], ARGV[4])
return 1
`);

/**
 * A topic's members: the distinct count, then member, value (`<total> <info>`) for at most `limit`
 * of them. KEYS: the topic's hash. ARGV: limit.
 */
export const PRESENCE_READ = script(`
local total = redis.call('HLEN', KEYS[1])
local limit = tonumber(ARGV[1])
local out = { total }
if total <= limit then
  local all = redis.call('HGETALL', KEYS[1])
  for i = 1, #all do out[#out + 1] = all[i] end
  return out
end
local cursor = '0'
local taken = 0
repeat
  local page = redis.call('HSCAN', KEYS[1], cursor, 'COUNT', 100)
  cursor = page[1]
  local kv = page[2]
  for i = 1, #kv, 2 do
    if taken < limit then
      out[#out + 1] = kv[i]
      out[#out + 1] = kv[i + 1]
      taken = taken + 1
    end
  end
until cursor == '0' or taken >= limit
return out
`);

/**
 * Shares one script sets or drops: about 10 µs each (measured on Redis 7.0), so one call holds
 * Redis for a few ms whatever the batch, a full rewrite or a dead node's sweep.
 */
export const WRITE_BATCH = 500;

/** The most entries one read returns (the server's `maxMembers` is at most 100 000). */
export const MAX_PRESENCE_READ = 100_000;

/**
 * Run `PRESENCE_WRITE` for one batch of updates. True when written; false when the node's lease
 * had run out (nothing written: re-register, then write in full).
 */
export async function writePresence(pub: Client, keys: RedisKeys, nodeId: string, updates: readonly PresenceUpdate[]): Promise<boolean> {
  const args = [nodeId, 'set', keys.presencePrefix, keys.topicChannelPrefix];
  for (const { topic, memberId, info, connections } of updates) {
    args.push(topic, memberId, String(Math.max(0, Math.floor(connections))), info);
  }
  const reply = await runScript(pub, PRESENCE_WRITE, [keys.nodes, keys.presenceShares(nodeId)], args);
  return reply !== 0;
}

/** Set these share fields of this node to 0 (a full rewrite's leftovers); false as `writePresence`. */
export async function dropShares(pub: Client, keys: RedisKeys, nodeId: string, fields: readonly string[]): Promise<boolean> {
  const args = [nodeId, 'drop', keys.presencePrefix, keys.topicChannelPrefix, ...fields];
  const reply = await runScript(pub, PRESENCE_WRITE, [keys.nodes, keys.presenceShares(nodeId)], args);
  return reply !== 0;
}

/** A share's field in a node's `pshare:` hash (the topic's length in UTF-8 bytes, as Lua's `#`). */
export function shareField(topic: string, memberId: string): string {
  return `${Buffer.byteLength(topic)}:${topic}${memberId}`;
}

/**
 * This node's share fields in Redis that `keep` does not have, read page by page (`HSCAN`, not
 * one script: only this node writes its shares, and its writes wait for this rewrite to end).
 */
export async function staleShares(pub: Client, keys: RedisKeys, nodeId: string, keep: ReadonlySet<string>): Promise<string[]> {
  const stale: string[] = [];
  let cursor = '0';
  do {
    const reply = await pub.sendCommand(['HSCAN', keys.presenceShares(nodeId), cursor, 'COUNT', String(WRITE_BATCH)]);
    if (!Array.isArray(reply) || typeof reply[0] !== 'string' || !Array.isArray(reply[1])) break;
    cursor = reply[0];
    const page = reply[1] as unknown[];
    for (let i = 0; i < page.length; i += 2) {
      const field = page[i];
      if (typeof field === 'string' && !keep.has(field)) stale.push(field);
    }
  } while (cursor !== '0');
  return stale;
}

/** A topic's members, cluster-wide: at most `limit` entries, `total` distinct members (unbounded: see `presenceWithin`). */
export async function readPresence(pub: Client, keys: RedisKeys, topic: string, limit: number): Promise<{ members: PresenceEntry[]; total: number }> {
  const cap = Number.isFinite(limit) ? Math.min(MAX_PRESENCE_READ, Math.max(0, Math.floor(limit))) : MAX_PRESENCE_READ;
  const reply = await runScript(pub, PRESENCE_READ, [keys.presence(topic)], [String(cap)]);
  return parsePresence(reply);
}

/**
 * A presence read as the broker answers it: once `ready` gives the command connection (after this
 * node's pending writes), the cluster-wide members; when it gives none (Redis unreachable), this
 * node's own, from `local`. Rejects with `presence_failed` on an error reply, a lost connection, or
 * no answer within `timeoutMs`, the wait for `ready` included (a stuck Redis holds the writes too).
 */
export function presenceWithin(
  ready: Promise<Client | undefined>,
  keys: RedisKeys,
  topic: string,
  limit: number,
  local: () => readonly PresenceUpdate[],
  timeoutMs: number,
): Promise<{ members: PresenceEntry[]; total: number }> {
  const read = ready.then((pub) => (pub !== undefined ? readPresence(pub, keys, topic, limit) : localPresenceOf(local(), topic, limit)));
  return withinDeadline('presence_failed', read, timeoutMs, `a presence read of ${topic}`, (list) => list);
}

/** `PRESENCE_READ`'s flat reply; entries of an unexpected shape are skipped, never thrown. */
export function parsePresence(reply: unknown): { members: PresenceEntry[]; total: number } {
  if (!Array.isArray(reply) || typeof reply[0] !== 'number') return { members: [], total: 0 };
  const members: PresenceEntry[] = [];
  for (let i = 1; i + 1 < reply.length; i += 2) {
    const memberId: unknown = reply[i];
    const value: unknown = reply[i + 1];
    if (typeof memberId !== 'string' || typeof value !== 'string') continue;
    const space = value.indexOf(' ');
    const connections = Number(value.slice(0, space));
    if (space < 0 || !Number.isSafeInteger(connections) || connections <= 0) continue;
    members.push({ memberId, info: value.slice(space + 1), connections });
  }
  return { members, total: reply[0] };
}

/** Local presence of one topic (while Redis is unreachable): this node's members only. */
export function localPresenceOf(updates: readonly PresenceUpdate[], topic: string, limit: number): { members: PresenceEntry[]; total: number } {
  const members: PresenceEntry[] = [];
  let total = 0;
  for (const { topic: t, memberId, info, connections } of updates) {
    if (t !== topic || connections <= 0) continue;
    total += 1;
    if (members.length < limit) members.push({ memberId, info, connections });
  }
  return { members, total };
}
