// Lua scripts of the Redis queue store's operations (the layout and KEYS: redis-queue-layout.lua.ts). Every
// script costs O(log n) per operation it touches (appends, leases, drops, acknowledges, releases, expires).
import { LAYOUT_PRELUDE } from './redis-queue-layout.lua.js';

/** What the scripts below start with: the layout's prelude and the queue's own functions (`insert`, `remove`, ...). */
export const QUEUE_PRELUDE = `${LAYOUT_PRELUDE}
local function queue_of(key) return BY_KEY .. key end
-- Puts key in ready, scored by its oldest operation, unless a lease holds it or it has none.
local function refresh_ready(key)
  if redis.call('HEXISTS', LEASED_KEYS, key) == 1 then return end
  local head = redis.call('ZRANGE', queue_of(key), 0, 0, 'WITHSCORES')
  if head[1] then redis.call('ZADD', READY, head[2], key) else redis.call('ZREM', READY, key) end
end
-- One operation of key fewer is leased: once none is, the key is ready again.
local function unlease_key(key)
  if redis.call('HINCRBY', LEASED_KEYS, key, -1) <= 0 then
    redis.call('HDEL', LEASED_KEYS, key)
    refresh_ready(key)
  end
end
local function count_leased(operations, bytes)
  redis.call('HINCRBY', COUNTS, 'leased', operations)
  redis.call('HINCRBY', COUNTS, 'leased_bytes', bytes)
end
-- Ends the lease of operation id: it is queued again, in its place (it never left its key's set).
local function unlease(id)
  redis.call('ZREM', DEADLINES, id)
  redis.call('HDEL', OWNERS, id)
  redis.call('ZADD', UNLEASED, redis.call('HGET', OP_SEQUENCE, id), id)
  count_leased(-1, -tonumber(redis.call('HGET', OP_BYTES, id)))
  unlease_key(redis.call('HGET', OP_KEY, id))
end
-- Leases past their deadline end here.
local function expire(now)
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', DEADLINES, '-inf', now)) do unlease(id) end
end
-- Forgets operation id (queued or leased). Returns its bytes, or nil if not held.
local function remove(id)
  local b = redis.call('HGET', OP_BYTES, id)
  if not b then return nil end
  b = tonumber(b)
  local key = redis.call('HGET', OP_KEY, id)
  local leased = redis.call('ZREM', DEADLINES, id) == 1
  if leased then
    redis.call('HDEL', OWNERS, id)
    count_leased(-1, -b)
  else
    redis.call('ZREM', UNLEASED, id)
  end
  redis.call('ZREM', queue_of(key), id)
  for _, hash in ipairs({ OP_KEY, OP_JSON, OP_BYTES, OP_ATTEMPTS, OP_SEQUENCE }) do redis.call('HDEL', hash, id) end
  redis.call('HINCRBY', COUNTS, 'size', -1)
  redis.call('HINCRBY', COUNTS, 'bytes', -b)
  if leased then unlease_key(key) else refresh_ready(key) end
  if redis.call('HEXISTS', WATCHERS, id) == 1 then mark_gone(id, now_ms()) end
  return b
end
-- Queues a new operation, last.
local function insert(id, key, json, bytes, attempts)
  local seq = redis.call('INCR', SEQUENCE)
  redis.call('HSET', OP_KEY, id, key)
  redis.call('HSET', OP_JSON, id, json)
  redis.call('HSET', OP_BYTES, id, bytes)
  redis.call('HSET', OP_ATTEMPTS, id, attempts)
  redis.call('HSET', OP_SEQUENCE, id, seq)
  redis.call('ZADD', queue_of(key), seq, id)
  redis.call('ZADD', UNLEASED, seq, id)
  if redis.call('HEXISTS', LEASED_KEYS, key) == 0 then redis.call('ZADD', READY, 'NX', seq, key) end
  redis.call('HINCRBY', COUNTS, 'size', 1)
  redis.call('HINCRBY', COUNTS, 'bytes', bytes)
end
-- id, key, json, bytes, attempts of operation id.
local function fields(id)
  return { id, redis.call('HGET', OP_KEY, id), redis.call('HGET', OP_JSON, id), redis.call('HGET', OP_BYTES, id),
    redis.call('HGET', OP_ATTEMPTS, id) }
end
`;

/**
 * ARGV: maxQueueSize, maxQueueBytes, overflow ('reject' or 'drop-oldest'), then id, key, json, bytes, attempts
 * for each of one or more operations, in order. Appends each unless its id is held already, within the bound:
 * an operation that does not fit is refused, unless under 'drop-oldest' removing operations no instance has
 * leased makes room: then the oldest of them are removed, as few as it takes. Returns the counts, then for each
 * operation refused or that made room: its place in the list (1 for the first), 1 if it was refused (else 0),
 * the number of operations removed for it, and their ids.
 */
export const APPEND = `${QUEUE_PRELUDE}
local max_size, max_bytes = tonumber(ARGV[1]), tonumber(ARGV[2])
local drops = ARGV[3] == 'drop-oldest'
local t = counts()
local size, total = t[1], t[2]
local expired = false
local outcomes = {}
for i = 4, #ARGV, 5 do
  local id, key, b = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 3])
  if redis.call('HEXISTS', OP_KEY, id) == 0 then
    local fits = size < max_size and total + b <= max_bytes
    if not fits and drops then
      -- What live leases hold, which no drop can free.
      if not expired then expire(now_ms()) expired = true end
      local l = redis.call('HMGET', COUNTS, 'leased', 'leased_bytes')
      fits = (tonumber(l[1]) or 0) < max_size and (tonumber(l[2]) or 0) + b <= max_bytes
    end
    local dropped = {}
    if fits then
      while size >= max_size or total + b > max_bytes do
        local oldest = redis.call('ZRANGE', UNLEASED, 0, 0)[1]
        dropped[#dropped + 1] = oldest
        size, total = size - 1, total - remove(oldest)
      end
      insert(id, key, ARGV[i + 2], b, ARGV[i + 4])
      size, total = size + 1, total + b
    end
    if not fits or #dropped > 0 then
      outcomes[#outcomes + 1] = (i - 4) / 5 + 1
      outcomes[#outcomes + 1] = fits and 0 or 1
      outcomes[#outcomes + 1] = #dropped
      for _, dropped_id in ipairs(dropped) do outcomes[#outcomes + 1] = dropped_id end
    end
  end
end
local result = counts()
for _, v in ipairs(outcomes) do result[#result + 1] = v end
return result
`;

/**
 * ARGV: maxOperations, maxBytes, visibilityTimeoutMs, token. Leases the oldest operations whose key has no live
 * lease (by any instance), in order, until a limit is reached: each step takes, from the ready key whose oldest
 * operation is oldest, its operations older than the next ready key's oldest. Returns the counts, then for each
 * leased operation: id, key, json, bytes, attempts.
 */
export const LEASE = `${QUEUE_PRELUDE}
local now = now_ms()
expire(now)
local max_ops, max_bytes = tonumber(ARGV[1]), tonumber(ARGV[2])
local deadline, token = now + tonumber(ARGV[3]), ARGV[4]
local taken, sizes, total, full = {}, {}, 0, false
-- Keys leased by this call, in order, and how many operations of each.
local keys, per_key = {}, {}
while not full and #taken < max_ops do
  local heads = redis.call('ZRANGE', READY, 0, 1, 'WITHSCORES')
  local key = heads[1]
  if not key then break end
  local until_next = heads[4] and ('(' .. heads[4]) or '+inf'
  -- NOTE: a Lua number reaches Redis as '%.14g': a larger count would not read as an integer.
  local count = math.min(max_ops - #taken, 1e9)
  local run = redis.call('ZRANGE', queue_of(key), heads[2], until_next, 'BYSCORE', 'LIMIT', 0, count, 'WITHSCORES')
  local ids = {}
  for i = 1, #run, 2 do ids[#ids + 1] = run[i] end
  local before, last = #taken, nil
  for i, b in ipairs(hmget(OP_BYTES, ids)) do
    b = tonumber(b)
    if total + b > max_bytes then full = true break end
    total = total + b
    taken[#taken + 1] = ids[i]
    sizes[#taken] = b
    last = run[2 * i]
  end
  if last then
    if not per_key[key] then keys[#keys + 1] = key end
    per_key[key] = (per_key[key] or 0) + #taken - before
    if not full and #taken < max_ops then
      local after = redis.call('ZRANGE', queue_of(key), '(' .. last, '+inf', 'BYSCORE', 'LIMIT', 0, 1, 'WITHSCORES')
      if after[1] then redis.call('ZADD', READY, after[2], key) else redis.call('ZREM', READY, key) end
    end
  end
end
local deadlines, owners = {}, {}
for _, id in ipairs(taken) do
  deadlines[#deadlines + 1] = deadline
  deadlines[#deadlines + 1] = id
  owners[#owners + 1] = id
  owners[#owners + 1] = token
end
chunked('ZADD', DEADLINES, deadlines)
chunked('HSET', OWNERS, owners)
chunked('ZREM', UNLEASED, taken)
for _, key in ipairs(keys) do
  redis.call('ZREM', READY, key)
  redis.call('HSET', LEASED_KEYS, key, per_key[key])
end
count_leased(#taken, total)
local result = counts()
local key_of, json, attempts = hmget(OP_KEY, taken), hmget(OP_JSON, taken), hmget(OP_ATTEMPTS, taken)
for i, id in ipairs(taken) do
  for _, v in ipairs({ id, key_of[i], json[i], sizes[i], attempts[i] }) do result[#result + 1] = v end
end
return result
`;

/** ARGV: ids. Forgets the operations, whoever holds them. Returns the counts. */
export const ACKNOWLEDGE = `${QUEUE_PRELUDE}
for _, id in ipairs(ARGV) do remove(id) end
return counts()
`;

/**
 * ARGV: token, then id and attempts pairs. Ends this token's lease of each operation (it is queued again in its
 * place) and records its attempts; an operation leased by someone else since is left alone. Returns the counts.
 */
export const RELEASE = `${QUEUE_PRELUDE}
local token = ARGV[1]
for i = 2, #ARGV, 2 do
  local id = ARGV[i]
  local owner = redis.call('HGET', OWNERS, id)
  if owner == token then
    redis.call('HSET', OP_ATTEMPTS, id, ARGV[i + 1])
    unlease(id)
  elseif not owner and redis.call('HEXISTS', OP_ATTEMPTS, id) == 1 then
    redis.call('HSET', OP_ATTEMPTS, id, ARGV[i + 1])
  end
end
return counts()
`;

/** ARGV: visibilityTimeoutMs, then token and id pairs. Extends the leases this instance still holds. Returns the counts. */
export const RENEW = `${QUEUE_PRELUDE}
local deadline = now_ms() + tonumber(ARGV[1])
for i = 2, #ARGV, 2 do
  if redis.call('HGET', OWNERS, ARGV[i + 1]) == ARGV[i] then
    redis.call('ZADD', DEADLINES, 'XX', deadline, ARGV[i + 1])
  end
end
return counts()
`;

/** No ARGV. Removes the oldest operation not leased. Returns the counts, then id, key, json, bytes, attempts if one was removed. */
export const DROP_OLDEST = `${QUEUE_PRELUDE}
expire(now_ms())
local id = redis.call('ZRANGE', UNLEASED, 0, 0)[1]
if not id then return counts() end
local operation = fields(id)
remove(id)
local result = counts()
for _, v in ipairs(operation) do result[#result + 1] = v end
return result
`;

/** No ARGV. Returns the counts (size, bytes). */
export const COUNTS = `${LAYOUT_PRELUDE}
return counts()
`;

/** ARGV: id. Returns { 1 } if the operation is held (queued or leased), else { 0 }. */
export const HAS = `${LAYOUT_PRELUDE}
return { redis.call('HEXISTS', OP_KEY, ARGV[1]) }
`;
