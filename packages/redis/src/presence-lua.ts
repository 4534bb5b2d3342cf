/**
 * The Lua every presence-changing script shares (the batch write, the heartbeat's sweep of dead
 * nodes, a node's leave), so a member's cluster-wide total moves the same way whoever moves it.
 * Plain text with no imports: `scripts.ts` and `presence.ts` both splice it in.
 *
 * `presence_set(topicPrefix, shares, topic, member, connections, info)` sets one node's share
 * (`shares` is that node's `pshare:` hash) of a member on a topic, moves the member's total in the
 * topic's `pres:` hash by the difference, and notes a join (total was 0) or a leave (total is 0).
 * `presence_drop_some(topicPrefix, shares, budget)` sets at most `budget` of a node's shares to 0
 * (returns how many, and whether none is left): a node with 100 000 members is removed over many
 * short scripts rather than one that holds Redis for a second (about 10 µs per share).
 * `presence_announce(topicPrefix, channelPrefix)` then PUBLISHes one event per changed topic on the
 * topic's channel: `{"m":<members>,"j":[[id,info],…],"l":[[id,info],…]}` (see `wire.ts`).
 *
 * A share field is `<byte length of topic>:<topic><member>`: any topic and member text splits
 * back unambiguously. A member's value is `<total> <info>`: the total has no space, so the first
 * one ends it. The info shown is the one last written with connections (an info update on any node
 * replaces it); a leave carries the info the member was shown with.
 */
export const PRESENCE_LUA = `
local presence_changes = {}
local presence_order = {}
local function presence_note(topic, kind, member, info)
  local change = presence_changes[topic]
  if not change then
    change = { j = {}, l = {} }
    presence_changes[topic] = change
    presence_order[#presence_order + 1] = topic
  end
  local list = change[kind]
  list[#list + 1] = { member, info }
end
local function presence_set(topic_prefix, shares, topic, member, connections, info)
  local field = #topic .. ':' .. topic .. member
  local old = tonumber(redis.call('HGET', shares, field)) or 0
  if old == 0 and connections <= 0 then return end
  local key = topic_prefix .. topic
  local current = redis.call('HGET', key, member)
  local total = 0
  local shown = 'null'
  if current then
    local space = string.find(current, ' ', 1, true)
    total = tonumber(string.sub(current, 1, space - 1)) or 0
    shown = string.sub(current, space + 1)
  end
  if connections > 0 then
    redis.call('HSET', shares, field, tostring(connections))
    if info then shown = info end
  else
    redis.call('HDEL', shares, field)
  end
  local after = total - old + math.max(connections, 0)
  if after > 0 then
    redis.call('HSET', key, member, string.format('%d', after) .. ' ' .. shown)
    if total <= 0 then presence_note(topic, 'j', member, shown) end
  else
    redis.call('HDEL', key, member)
    if total > 0 then presence_note(topic, 'l', member, shown) end
  end
end
local function presence_field(field)
  local digits = string.match(field, '^%d+')
  if not digits then return nil, nil end
  local first = #digits + 2
  local length = tonumber(digits)
  return string.sub(field, first, first + length - 1), string.sub(field, first + length)
end
local function presence_drop_fields(topic_prefix, shares, fields)
  for _, field in ipairs(fields) do
    local topic, member = presence_field(field)
    if topic then presence_set(topic_prefix, shares, topic, member, 0, nil) else redis.call('HDEL', shares, field) end
  end
end
local function presence_drop_some(topic_prefix, shares, budget)
  local fields = {}
  local cursor = '0'
  repeat
    local page = redis.call('HSCAN', shares, cursor, 'COUNT', budget)
    cursor = page[1]
    for i = 1, #page[2], 2 do
      if #fields < budget then fields[#fields + 1] = page[2][i] end
    end
  until cursor == '0' or #fields >= budget
  presence_drop_fields(topic_prefix, shares, fields)
  return #fields, redis.call('EXISTS', shares) == 0
end
local function presence_list(list)
  if #list == 0 then return '[]' end
  local parts = {}
  for i, entry in ipairs(list) do parts[i] = '[' .. cjson.encode(entry[1]) .. ',' .. cjson.encode(entry[2]) .. ']' end
  return '[' .. table.concat(parts, ',') .. ']'
end
local function presence_announce(topic_prefix, channel_prefix)
  for _, topic in ipairs(presence_order) do
    local change = presence_changes[topic]
    local members = redis.call('HLEN', topic_prefix .. topic)
    redis.call('PUBLISH', channel_prefix .. topic,
      '{"m":' .. string.format('%d', members) .. ',"j":' .. presence_list(change.j) .. ',"l":' .. presence_list(change.l) .. '}')
  end
end
`;
