// Lua scripts of the Redis queue store. Each runs atomically in Redis, so the contract of
// `CustomerIOQueueStore` holds across every instance sharing one prefix.
//
// KEYS, always in this order (all under one `{prefix}` hash tag, so they share a cluster slot):
//   1 queue     ZSET  id -> sequence number (append order; a held operation keeps its score)
//   2 key       HASH  id -> ordering key
//   3 json      HASH  id -> operation JSON
//   4 bytes     HASH  id -> UTF-8 bytes of the JSON
//   5 attempts  HASH  id -> failed delivery attempts
//   6 leases    ZSET  id -> lease deadline (ms, Redis clock); only leased operations
//   7 owners    HASH  id -> token of the lease holding it
//   8 totals    HASH  size, bytes
//   9 seq       STRING  last sequence number

/** Number of KEYS every script takes. */
export const KEY_COUNT = 9;

/** Key suffixes, in KEYS order. */
export const KEY_NAMES = ['queue', 'key', 'json', 'bytes', 'attempts', 'leases', 'owners', 'totals', 'seq'] as const;

// NOTE: `unpack` of a long list overflows Lua's C stack (about 8,000 values), so bulk commands go in chunks.
const PRELUDE = `
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function chunked(command, key, list)
  for i = 1, #list, 1000 do
    redis.call(command, key, unpack(list, i, math.min(i + 999, #list)))
  end
end
local function totals()
  local t = redis.call('HMGET', KEYS[8], 'size', 'bytes')
  return { tonumber(t[1]) or 0, tonumber(t[2]) or 0 }
end
-- Leases past their deadline end here: their operations are queued again, in their places.
local function expire(now)
  local expired = redis.call('ZRANGEBYSCORE', KEYS[6], '-inf', now)
  if #expired > 0 then
    chunked('ZREM', KEYS[6], expired)
    chunked('HDEL', KEYS[7], expired)
  end
end
`;

/**
 * ARGV: id, key, json, bytes, attempts — for each of one or more operations, in order. Appends each unless
 * its id is held already. Returns totals.
 */
export const APPEND = `${PRELUDE}
for i = 1, #ARGV, 5 do
  local id = ARGV[i]
  if redis.call('HEXISTS', KEYS[2], id) == 0 then
    local seq = redis.call('INCR', KEYS[9])
    redis.call('ZADD', KEYS[1], seq, id)
    redis.call('HSET', KEYS[2], id, ARGV[i + 1])
    redis.call('HSET', KEYS[3], id, ARGV[i + 2])
    redis.call('HSET', KEYS[4], id, ARGV[i + 3])
    redis.call('HSET', KEYS[5], id, ARGV[i + 4])
    redis.call('HINCRBY', KEYS[8], 'size', 1)
    redis.call('HINCRBY', KEYS[8], 'bytes', tonumber(ARGV[i + 3]))
  end
end
return totals()
`;

/**
 * ARGV: maxOperations, maxBytes, visibilityTimeoutMs, token. Leases the oldest operations whose key has
 * no live lease (by any instance), in order, until a limit is reached. Returns totals, then for each
 * leased operation: id, key, json, bytes, attempts.
 */
export const LEASE = `${PRELUDE}
local now = now_ms()
expire(now)
local max_ops = tonumber(ARGV[1])
local max_bytes = tonumber(ARGV[2])
local deadline = now + tonumber(ARGV[3])
local token = ARGV[4]
-- Keys with a live lease: every operation of theirs is skipped, which also skips every later one.
local blocked = {}
local live = redis.call('ZRANGE', KEYS[6], 0, -1)
for i = 1, #live, 1000 do
  local keys = redis.call('HMGET', KEYS[2], unpack(live, i, math.min(i + 999, #live)))
  for _, k in ipairs(keys) do if k then blocked[k] = true end end
end
local taken, taken_keys = {}, {}
local total = 0
local start = 0
local page_size = 256
local full = false
while not full do
  local ids = redis.call('ZRANGE', KEYS[1], start, start + page_size - 1)
  if #ids == 0 then break end
  start = start + #ids
  local keys = redis.call('HMGET', KEYS[2], unpack(ids))
  local sizes = redis.call('HMGET', KEYS[4], unpack(ids))
  for i = 1, #ids do
    local k = keys[i]
    if k and not blocked[k] then
      local b = tonumber(sizes[i])
      if total + b > max_bytes then full = true break end
      total = total + b
      taken[#taken + 1] = ids[i]
      taken_keys[#taken_keys + 1] = k
      if #taken >= max_ops then full = true break end
    end
  end
end
local result = totals()
for i = 1, #taken do
  local id = taken[i]
  redis.call('ZADD', KEYS[6], deadline, id)
  redis.call('HSET', KEYS[7], id, token)
  result[#result + 1] = id
  result[#result + 1] = taken_keys[i]
  result[#result + 1] = redis.call('HGET', KEYS[3], id)
  result[#result + 1] = redis.call('HGET', KEYS[4], id)
  result[#result + 1] = redis.call('HGET', KEYS[5], id)
end
return result
`;

/** ARGV: ids. Forgets the operations, whoever holds them. Returns totals. */
export const ACKNOWLEDGE = `${PRELUDE}
for _, id in ipairs(ARGV) do
  local b = redis.call('HGET', KEYS[4], id)
  if b then
    redis.call('ZREM', KEYS[1], id)
    redis.call('ZREM', KEYS[6], id)
    redis.call('HDEL', KEYS[7], id)
    redis.call('HDEL', KEYS[2], id)
    redis.call('HDEL', KEYS[3], id)
    redis.call('HDEL', KEYS[4], id)
    redis.call('HDEL', KEYS[5], id)
    redis.call('HINCRBY', KEYS[8], 'size', -1)
    redis.call('HINCRBY', KEYS[8], 'bytes', -tonumber(b))
  end
end
return totals()
`;

/**
 * ARGV: token, then id and attempts pairs. Ends this token's lease of each operation (it stays in its
 * place) and records its attempts; an operation leased by someone else since is left alone. Returns totals.
 */
export const RELEASE = `${PRELUDE}
local token = ARGV[1]
for i = 2, #ARGV, 2 do
  local id = ARGV[i]
  local owner = redis.call('HGET', KEYS[7], id)
  if owner == token then
    redis.call('ZREM', KEYS[6], id)
    redis.call('HDEL', KEYS[7], id)
    redis.call('HSET', KEYS[5], id, ARGV[i + 1])
  elseif not owner and redis.call('HEXISTS', KEYS[5], id) == 1 then
    redis.call('HSET', KEYS[5], id, ARGV[i + 1])
  end
end
return totals()
`;

/** ARGV: visibilityTimeoutMs, then token and id pairs. Extends the leases this instance still holds. Returns totals. */
export const RENEW = `${PRELUDE}
local deadline = now_ms() + tonumber(ARGV[1])
for i = 2, #ARGV, 2 do
  if redis.call('HGET', KEYS[7], ARGV[i + 1]) == ARGV[i] then
    redis.call('ZADD', KEYS[6], 'XX', deadline, ARGV[i + 1])
  end
end
return totals()
`;

/** No ARGV. Removes the oldest operation not leased. Returns totals, then id, key, json, bytes, attempts if one was removed. */
export const DROP_OLDEST = `${PRELUDE}
expire(now_ms())
local start = 0
while true do
  local ids = redis.call('ZRANGE', KEYS[1], start, start + 255)
  if #ids == 0 then return totals() end
  start = start + #ids
  for _, id in ipairs(ids) do
    if not redis.call('ZSCORE', KEYS[6], id) then
      local operation = { id, redis.call('HGET', KEYS[2], id), redis.call('HGET', KEYS[3], id),
        redis.call('HGET', KEYS[4], id), redis.call('HGET', KEYS[5], id) }
      redis.call('ZREM', KEYS[1], id)
      redis.call('HDEL', KEYS[2], id)
      redis.call('HDEL', KEYS[3], id)
      redis.call('HDEL', KEYS[4], id)
      redis.call('HDEL', KEYS[5], id)
      redis.call('HINCRBY', KEYS[8], 'size', -1)
      redis.call('HINCRBY', KEYS[8], 'bytes', -tonumber(operation[4]))
      local result = totals()
      for _, v in ipairs(operation) do result[#result + 1] = v end
      return result
    end
  end
end
`;
