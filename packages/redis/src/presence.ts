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
import type { RedisKeys } from './keys.js';
import { PRESENCE_LUA } from './presence-lua.js';
import { type Client, NOW, runScript, script } from './scripts.js';

/**
 * Set this node's shares and PUBLISH the transitions (one event per changed topic).
 * KEYS: nodes, this node's shares. ARGV: nodeId, full ('1': every share not in the batch goes to 0),
 * presence topic prefix, topic channel prefix, then topic, member, connections, info per update.
 *
 * Returns 0 without writing when this node's lease has run out: a sweep may have taken (or be
 * about to take) its shares, so the caller re-registers the node and rewrites them in full.
 */
export const PRESENCE_WRITE = script(`${NOW}${PRESENCE_LUA}
local deadline = redis.call('ZSCORE', KEYS[1], ARGV[1])
if (not deadline) or tonumber(deadline) <= now then return 0 end
if ARGV[2] == '1' then
  local kept = {}
  for i = 5, #ARGV, 4 do kept[#ARGV[i] .. ':' .. ARGV[i] .. ARGV[i + 1]] = true end
  for _, field in ipairs(redis.call('HKEYS', KEYS[2])) do
    if not kept[field] then
      local topic, member = presence_field(field)
      if topic then presence_set(ARGV[3], KEYS[2], topic, member, 0, nil) end
    end
  end
end
for i = 5, #ARGV, 4 do
  presence_set(ARGV[3], KEYS[2], ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2]) or 0, ARGV[i + 3])
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

/** Updates per incremental script call: one call never holds Redis for long. */
export const WRITE_BATCH = 500;

/** The most entries one read returns (the server's `maxMembers` is at most 100 000). */
export const MAX_PRESENCE_READ = 100_000;

/**
 * Run `PRESENCE_WRITE` for one batch. True when written; false when the node's lease had run out
 * (nothing written: re-register, then write in full).
 */
export async function writePresence(pub: Client, keys: RedisKeys, nodeId: string, full: boolean, updates: readonly PresenceUpdate[]): Promise<boolean> {
  const args = [nodeId, full ? '1' : '0', keys.presencePrefix, keys.topicChannelPrefix];
  for (const { topic, memberId, info, connections } of updates) {
    args.push(topic, memberId, String(Math.max(0, Math.floor(connections))), info);
  }
  const reply = await runScript(pub, PRESENCE_WRITE, [keys.nodes, keys.presenceShares(nodeId)], args);
  return reply !== 0;
}

/** A topic's members, cluster-wide: at most `limit` entries, `total` distinct members. */
export async function readPresence(pub: Client, keys: RedisKeys, topic: string, limit: number): Promise<{ members: PresenceEntry[]; total: number }> {
  const cap = Number.isFinite(limit) ? Math.min(MAX_PRESENCE_READ, Math.max(0, Math.floor(limit))) : MAX_PRESENCE_READ;
  const reply = await runScript(pub, PRESENCE_READ, [keys.presence(topic)], [String(cap)]);
  return parsePresence(reply);
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
