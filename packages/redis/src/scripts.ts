/**
 * Lua scripts for the count registry. Each runs atomically inside Redis and reads the clock
 * with TIME, so leases are judged by one clock (Redis's) rather than by each node's.
 *
 * The scripts touch keys they compute from a prefix (`<prefix>node:<id>`), which is fine on a
 * standalone Redis (and Sentinel / replicas) but not on Redis Cluster; see the README.
 */
import { createHash } from 'node:crypto';
import type { RedisClientType } from 'redis';
import { PRESENCE_LUA } from './presence-lua.js';

/** The node-redis client type this package uses (default modules, RESP2). */
export type Client = RedisClientType;

export interface Script {
  readonly source: string;
  readonly sha: string;
}

export function script(source: string): Script {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/** Lua prelude: `now` = Redis's clock in ms. */
export const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/** Nodes whose lease has not run out, by the deadline zset (KEYS[1]). */
const LIVE_NODES = `local live = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')
`;

/**
 * Write this node's counts and renew its lease.
 * KEYS: nodes, beats, nodeHash. ARGV: nodeId, leaseMs, full ('1' replaces the whole hash),
 * notice ('' = none), control channel, then topic/count pairs (count 0 deletes the field).
 * Returns 0 when an incremental write found the lease already lapsed (the node's other counts
 * may have been swept): the caller must follow up with a full write.
 */
export const WRITE_COUNTS = script(`${NOW}
local lease = tonumber(ARGV[2])
local prev = redis.call('ZSCORE', KEYS[1], ARGV[1])
local lapsed = (not prev) or tonumber(prev) <= now
if ARGV[3] == '1' then redis.call('DEL', KEYS[3]) end
for i = 6, #ARGV, 2 do
  if tonumber(ARGV[i + 1]) > 0 then
    redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 1])
  else
    redis.call('HDEL', KEYS[3], ARGV[i])
  end
end
redis.call('PEXPIRE', KEYS[3], lease * 2)
redis.call('ZADD', KEYS[1], now + lease, ARGV[1])
redis.call('ZADD', KEYS[2], now, ARGV[1])
if ARGV[4] ~= '' then redis.call('PUBLISH', ARGV[5], ARGV[4]) end
if lapsed and ARGV[3] ~= '1' then return 0 end
return 1
`);

/**
 * Renew this node's lease and sweep nodes whose lease ran out (their hashes are kept for
 * 2 × lease so the sweeper can tell the cluster which topics' counts changed). A swept node's
 * presence shares are taken off its members' totals, and the members it was the last place of
 * leave (announced on their topics' channels): its `pshare:` hash has no TTL, so it is there for
 * the sweep however late that comes. At most `budget` shares per call: a dead node stays in the
 * zset (out of every count, its lease is over) until its last share is gone.
 * KEYS: nodes, beats, nodeHash. ARGV: nodeId, leaseMs, nodeHash prefix, control channel,
 * presence topic prefix, presence share prefix, topic channel prefix, budget.
 * Returns 1 when this node's own lease had lapsed (its counts must be rewritten), else 0; plus 2
 * when shares of dead nodes are left for another call.
 */
export const HEARTBEAT = script(`${NOW}${PRESENCE_LUA}
local lease = tonumber(ARGV[2])
local prev = redis.call('ZSCORE', KEYS[1], ARGV[1])
local lapsed = (not prev) or tonumber(prev) <= now
redis.call('ZADD', KEYS[1], now + lease, ARGV[1])
redis.call('ZADD', KEYS[2], now, ARGV[1])
redis.call('PEXPIRE', KEYS[3], lease * 2)
local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)
local budget = tonumber(ARGV[8])
local more = 0
local seen = {}
local topics = {}
for _, id in ipairs(dead) do
  local hash = ARGV[3] .. id
  for _, topic in ipairs(redis.call('HKEYS', hash)) do
    if not seen[topic] then
      seen[topic] = true
      topics[#topics + 1] = topic
    end
  end
  redis.call('DEL', hash)
  local dropped, gone = 0, true
  if budget > 0 then dropped, gone = presence_drop_some(ARGV[5], ARGV[6] .. id, budget) else gone = redis.call('EXISTS', ARGV[6] .. id) == 0 end
  budget = budget - dropped
  if gone then
    redis.call('ZREM', KEYS[1], id)
    redis.call('ZREM', KEYS[2], id)
  else
    more = 2
  end
end
if #topics > 0 then
  redis.call('PUBLISH', ARGV[4], cjson.encode({ o = '', k = 'counts', t = topics }))
end
presence_announce(ARGV[5], ARGV[7])
if lapsed then return 1 + more end
return more
`);

/**
 * Leave the cluster: drop this node's counts and presence shares now (members it was the last
 * place of leave). KEYS: nodes, beats, nodeHash, presence shares. ARGV: nodeId, control channel,
 * presence topic prefix, topic channel prefix, budget. Drops at most `budget` shares per call and
 * answers -1 while some are left (call again); the counts go with the last call.
 */
export const LEAVE = script(`${PRESENCE_LUA}
local _, gone = presence_drop_some(ARGV[3], KEYS[4], tonumber(ARGV[5]))
presence_announce(ARGV[3], ARGV[4])
if not gone then return -1 end
local topics = redis.call('HKEYS', KEYS[3])
redis.call('DEL', KEYS[3])
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
if #topics > 0 then
  redis.call('PUBLISH', ARGV[2], cjson.encode({ o = ARGV[1], k = 'counts', t = topics }))
end
return #topics
`);

/** Cluster-wide count of one topic. KEYS: nodes. ARGV: nodeHash prefix, topic. */
export const COUNT = script(`${NOW}${LIVE_NODES}
local sum = 0
for _, id in ipairs(live) do
  local v = redis.call('HGET', ARGV[1] .. id, ARGV[2])
  if v then sum = sum + tonumber(v) end
end
return sum
`);

/** Every topic with its cluster-wide count, as a flat [topic, count, ...] list. KEYS: nodes. ARGV: nodeHash prefix. */
export const TOPICS = script(`${NOW}${LIVE_NODES}
local totals = {}
local order = {}
for _, id in ipairs(live) do
  local kv = redis.call('HGETALL', ARGV[1] .. id)
  for i = 1, #kv, 2 do
    local topic = kv[i]
    if not totals[topic] then
      totals[topic] = 0
      order[#order + 1] = topic
    end
    totals[topic] = totals[topic] + tonumber(kv[i + 1])
  end
end
local out = {}
for _, topic in ipairs(order) do
  out[#out + 1] = topic
  out[#out + 1] = totals[topic]
end
return out
`);

/** Live nodes as a flat [nodeId, msSinceHeartbeat, topicCount, ...] list. KEYS: nodes, beats. ARGV: nodeHash prefix. */
export const NODES = script(`${NOW}${LIVE_NODES}
local out = {}
for _, id in ipairs(live) do
  local beat = redis.call('ZSCORE', KEYS[2], id)
  out[#out + 1] = id
  out[#out + 1] = beat and (now - tonumber(beat)) or 0
  out[#out + 1] = redis.call('HLEN', ARGV[1] .. id)
end
return out
`);

/**
 * Run a script by its SHA, loading it on NOSCRIPT (always the case after Redis restarted).
 * `sendCommand` skips node-redis's typed command builder, which matters on the history append
 * (one script per publish); the replies are the same raw values.
 */
export async function runScript(client: Client, s: Script, keys: string[], args: string[]): Promise<unknown> {
  const tail = [String(keys.length), ...keys, ...args];
  try {
    return await client.sendCommand(['EVALSHA', s.sha, ...tail]);
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('NOSCRIPT')) return client.sendCommand(['EVAL', s.source, ...tail]);
    throw error;
  }
}

/** A flat reply list as [string, number] pairs; anything unexpected is skipped, never thrown. */
export function pairs(reply: unknown, width: 2 | 3): unknown[][] {
  if (!Array.isArray(reply)) return [];
  const rows: unknown[][] = [];
  for (let i = 0; i + width <= reply.length; i += width) rows.push(reply.slice(i, i + width));
  return rows;
}
