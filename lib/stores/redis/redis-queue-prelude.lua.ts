// What the Redis queue store's operation scripts (redis-queue.lua.ts) start with: the layout's prelude, then the
// queue's own functions. Each takes a list of operations (or keys, or leases) and changes the layout for all of them
// with a few commands per call: only a key's sorted set is changed one key at a time, so a script costs O(log n) per
// operation with a small constant, and a batch a few commands per key it touches.
import { LAYOUT_PRELUDE } from './redis-queue-layout.lua.js';

/** The layout's prelude and the queue's functions (`parse`, `settle_keys`, `unlease`, `expire`, `remove`, ...). */
export const QUEUE_PRELUDE = `${LAYOUT_PRELUDE}
-- Each key's sorted set's name, made once a script call.
local queues = {}
local function queue_of(key)
  local name = queues[key]
  if not name then
    name = BY_KEY .. key
    queues[key] = name
  end
  return name
end
local function lease_of(token) return LEASE_IDS .. token end
-- Whole numbers as strings, each converted once: a Lua number reaches Redis through '%.17g', dearer than a command.
local numerals = {}
local function numeral(n)
  local s = numerals[n]
  if not s then
    s = tostring(n)
    numerals[n] = s
  end
  return s
end
-- The bytes (a number) and key of an operation's record (see the layout), and where its JSON starts.
local function parse(record)
  local b, n, at = string.match(record, '^(%d+):%d+:(%d+):()')
  local after = at + tonumber(n)
  return tonumber(b), string.sub(record, at, after - 1), after
end
-- Counts one more of name in counts, and lists name in names (in order) the first time.
local function tally(names, counts, name)
  if not counts[name] then
    names[#names + 1] = name
    counts[name] = 0
  end
  counts[name] = counts[name] + 1
end
-- Keys (no two alike) some of whose operations left the queue or their lease: gone[key] of them were leased. A key
-- leases still hold some of is scored minus how many; any other is scored by its oldest operation (ready), or
-- forgotten with none left.
local function settle_keys(keys, gone)
  if #keys == 0 then return end
  local scores, empty, n = {}, {}, 0
  for i, score in ipairs(each_of('ZMSCORE', KEY_HEADS, keys)) do
    local key, held = keys[i], -(tonumber(score) or 0)
    local left = held > 0 and held - gone[key] or 0
    if left > 0 then
      if gone[key] > 0 then
        scores[n + 1], scores[n + 2], n = numeral(-left), key, n + 2
      end
    else
      local head = redis.call('ZRANGE', queue_of(key), '0', '0', 'WITHSCORES')
      if head[1] then
        scores[n + 1], scores[n + 2], n = head[2], key, n + 2
      else
        empty[#empty + 1] = key
      end
    end
  end
  chunked('ZADD', KEY_HEADS, scores)
  chunked('ZREM', KEY_HEADS, empty)
end
local function count_leased(operations, bytes)
  redis.call('HINCRBY', COUNTS, 'leased', operations)
  redis.call('HINCRBY', COUNTS, 'leased_bytes', bytes)
end
-- Forgets leases that hold no operation any more.
local function end_leases(tokens)
  chunked('HDEL', LEASE_HELD, tokens)
  chunked('ZREM', LEASES, tokens)
  for _, token in ipairs(tokens) do redis.call('DEL', lease_of(token)) end
end
-- Leases (no two alike) hold gone[token] operations fewer each: one that holds none any more is forgotten.
local function shrink_leases(tokens, gone)
  if #tokens == 0 then return end
  local still, ended = {}, {}
  for i, held in ipairs(hmget(LEASE_HELD, tokens)) do
    local left = (tonumber(held) or 0) - gone[tokens[i]]
    if left > 0 then add(still, tokens[i], numeral(left)) else ended[#ended + 1] = tokens[i] end
  end
  chunked('HSET', LEASE_HELD, still)
  end_leases(ended)
end
-- Ends the hold of ids, leased operations (no two alike), by their leases: they are queued again, in their places
-- (they never left their keys' sets). The caller keeps the leases' own counts.
local function unlease(ids)
  if #ids == 0 then return end
  local total, keys, gone = 0, {}, {}
  for _, record in ipairs(hmget(OPERATIONS, ids)) do
    local b, key = parse(record)
    total = total + b
    tally(keys, gone, key)
  end
  chunked('HDEL', OWNERS, ids)
  count_leased(-#ids, -total)
  settle_keys(keys, gone)
end
-- Leases past their deadline end here.
local function expire(now)
  for _, token in ipairs(redis.call('ZRANGEBYSCORE', LEASES, '-inf', now)) do
    local ids, held = redis.call('LRANGE', lease_of(token), '0', '-1'), {}
    for i, owner in ipairs(hmget(OWNERS, ids)) do
      if owner == token then held[#held + 1] = ids[i] end
    end
    unlease(held)
    end_leases({ token })
  end
end
-- Forgets the operations ids, queued or leased (one not held, or named twice, is skipped). Returns their bytes.
local function remove(ids)
  local records, owners = hmget(OPERATIONS, ids), hmget(OWNERS, ids)
  local held, leased, seen, total, leased_total, n_held, n_leased = {}, {}, {}, 0, 0, 0, 0
  -- The keys touched, in order, and how many of their operations removed a lease held; the same by lease.
  local keys, gone, tokens, per_token, n_keys = {}, {}, {}, {}, 0
  for i, id in ipairs(ids) do
    local record = records[i]
    if record and not seen[id] then
      seen[id] = true
      local b, key = parse(record)
      n_held = n_held + 1
      held[n_held] = id
      total = total + b
      redis.call('ZREM', queue_of(key), id)
      local count = gone[key]
      if not count then
        n_keys = n_keys + 1
        keys[n_keys] = key
        count = 0
      end
      local owner = owners[i]
      if owner then
        n_leased = n_leased + 1
        leased[n_leased] = id
        leased_total = leased_total + b
        count = count + 1
        tally(tokens, per_token, owner)
      end
      gone[key] = count
    end
  end
  if n_held == 0 then return 0 end
  chunked('HDEL', OPERATIONS, held)
  chunked('HDEL', OWNERS, leased)
  redis.call('HINCRBY', COUNTS, 'size', -n_held)
  redis.call('HINCRBY', COUNTS, 'bytes', -total)
  if n_leased > 0 then count_leased(-n_leased, -leased_total) end
  settle_keys(keys, gone)
  shrink_leases(tokens, per_token)
  if redis.call('HLEN', WATCHERS) > 0 then
    local now = now_ms()
    for i, watcher in ipairs(hmget(WATCHERS, held)) do
      if watcher then mark_gone(held[i], now) end
    end
  end
  return total
end
-- The operations no lease holds, oldest first (what drops remove): each call of the function it returns answers the
-- id of the oldest one left (the caller removes it), or nil. That is the oldest ready key's first, or the oldest
-- operation not leased of a key a lease holds: those are read on the first call (O(operations leased)), and after
-- one is answered, its key's next.
local function oldest_queued()
  -- Each leased key's oldest operation not leased: { sequence, id, key }, oldest first.
  local blocked
  -- The oldest operation of key that no lease holds, after sequence after (if given): its sequence and id.
  local function first_queued(key, after)
    local from = after and string.format('(%.0f', after) or '-inf'
    while true do
      local run = redis.call('ZRANGE', queue_of(key), from, '+inf', 'BYSCORE', 'LIMIT', '0', '100', 'WITHSCORES')
      if #run == 0 then return nil end
      local ids = {}
      for j = 1, #run, 2 do ids[#ids + 1] = run[j] end
      for j, owner in ipairs(hmget(OWNERS, ids)) do
        if not owner then return tonumber(run[2 * j]), ids[j] end
      end
      from = '(' .. run[#run]
    end
  end
  local function block(key, after)
    local seq, id = first_queued(key, after)
    if not seq then return end
    local low, high = 1, #blocked + 1
    while low < high do
      local mid = math.floor((low + high) / 2)
      if blocked[mid][1] < seq then low = mid + 1 else high = mid end
    end
    table.insert(blocked, low, { seq, id, key })
  end
  return function()
    if not blocked then
      blocked = {}
      for _, key in ipairs(redis.call('ZRANGE', KEY_HEADS, '-inf', '(0', 'BYSCORE')) do block(key) end
    end
    local ready = redis.call('ZRANGE', KEY_HEADS, '(0', '+inf', 'BYSCORE', 'LIMIT', '0', '1', 'WITHSCORES')
    local first = blocked[1]
    if ready[1] and (not first or tonumber(ready[2]) < first[1]) then
      return redis.call('ZRANGE', queue_of(ready[1]), '0', '0')[1]
    end
    if not first then return nil end
    table.remove(blocked, 1)
    block(first[3], first[1])
    return first[2]
  end
end
`;
