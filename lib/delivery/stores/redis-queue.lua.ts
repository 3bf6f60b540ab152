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
//  10 watches   ZSET  id -> when it was last watched (ms, Redis clock): receipts read, waiting for an outcome
//  11 watchers  HASH  id -> token of the instance watching it
//  12 settled   ZSET  id -> when its outcome was recorded (ms): outcomes an instance reached for another's watch
//  13 outcomes  HASH  id -> outcome, a newline, and its reason

/** Number of KEYS every script takes. */
export const KEY_COUNT = 13;

/** Key suffixes, in KEYS order. */
export const KEY_NAMES = [
  'queue', 'key', 'json', 'bytes', 'attempts', 'leases', 'owners', 'totals', 'seq',
  'watches', 'watchers', 'settled', 'outcomes',
] as const;

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
-- The values of the fields in list, in its order (false for a field not set).
local function hmget(key, list)
  local values = {}
  for i = 1, #list, 1000 do
    local part = redis.call('HMGET', key, unpack(list, i, math.min(i + 999, #list)))
    for j = 1, #part do values[i + j - 1] = part[j] end
  end
  return values
end
local function totals()
  local t = redis.call('HMGET', KEYS[8], 'size', 'bytes')
  return { tonumber(t[1]) or 0, tonumber(t[2]) or 0 }
end
-- Removes the members of sorted set times scored up to cutoff (at most limit of them, if given), and their fields of hash fields.
local function forget_until(times, fields, cutoff, limit)
  local old = limit and redis.call('ZRANGEBYSCORE', times, '-inf', cutoff, 'LIMIT', 0, limit)
    or redis.call('ZRANGEBYSCORE', times, '-inf', cutoff)
  if #old > 0 then
    chunked('ZREM', times, old)
    chunked('HDEL', fields, old)
  end
end
-- Leases past their deadline end here: their operations are queued again, in their places.
local function expire(now)
  forget_until(KEYS[6], KEYS[7], now)
end
-- Forgets operation id (queued or leased) and takes it off the totals. Returns its bytes, or nil if not held.
local function remove(id)
  local b = redis.call('HGET', KEYS[4], id)
  if not b then return nil end
  redis.call('ZREM', KEYS[1], id)
  redis.call('ZREM', KEYS[6], id)
  redis.call('HDEL', KEYS[7], id)
  redis.call('HDEL', KEYS[2], id)
  redis.call('HDEL', KEYS[3], id)
  redis.call('HDEL', KEYS[4], id)
  redis.call('HDEL', KEYS[5], id)
  redis.call('HINCRBY', KEYS[8], 'size', -1)
  redis.call('HINCRBY', KEYS[8], 'bytes', -tonumber(b))
  return tonumber(b)
end
-- The oldest operation no lease holds (call expire first), looking from position skip on: the operations
-- before it must all be leased. Returns its id (or nil), and its position: where to look from once it is removed.
local function oldest_unleased(skip)
  while true do
    local ids = redis.call('ZRANGE', KEYS[1], skip, skip + 255)
    if #ids == 0 then return nil, skip end
    for _, id in ipairs(ids) do
      if not redis.call('ZSCORE', KEYS[6], id) then return id, skip end
      skip = skip + 1
    end
  end
end
`;

/**
 * ARGV: maxQueueSize, maxQueueBytes, overflow ('reject' or 'drop-oldest'), then id, key, json, bytes, attempts
 * for each of one or more operations, in order. Appends each unless its id is held already, within the bound:
 * an operation that does not fit is refused, unless under 'drop-oldest' removing operations no instance has
 * leased makes room: then the oldest of them are removed, as few as it takes. Returns totals, then for each
 * operation refused or that made room: its place in the list (1 for the first), 1 if it was refused (else 0),
 * the number of operations removed for it, and their ids.
 */
export const APPEND = `${PRELUDE}
local max_size, max_bytes = tonumber(ARGV[1]), tonumber(ARGV[2])
local drops = ARGV[3] == 'drop-oldest'
local t = totals()
local size, total = t[1], t[2]
-- What live leases hold, which no drop can free: read once, the first time room must be made.
local leased
local function leased_totals()
  if leased then return leased end
  expire(now_ms())
  local ids = redis.call('ZRANGE', KEYS[6], 0, -1)
  leased = { #ids, 0 }
  for _, b in ipairs(hmget(KEYS[4], ids)) do leased[2] = leased[2] + tonumber(b) end
  return leased
end
local outcomes = {}
-- Where to look for the oldest operation not leased: every one before it is leased.
local skip = 0
for i = 4, #ARGV, 5 do
  local id = ARGV[i]
  local b = tonumber(ARGV[i + 3])
  if redis.call('HEXISTS', KEYS[2], id) == 0 then
    local fits = size < max_size and total + b <= max_bytes
    if not fits and drops then
      local l = leased_totals()
      fits = l[1] < max_size and l[2] + b <= max_bytes
    end
    local dropped = {}
    if fits then
      while size >= max_size or total + b > max_bytes do
        local oldest
        oldest, skip = oldest_unleased(skip)
        dropped[#dropped + 1] = oldest
        size, total = size - 1, total - remove(oldest)
      end
      local seq = redis.call('INCR', KEYS[9])
      redis.call('ZADD', KEYS[1], seq, id)
      redis.call('HSET', KEYS[2], id, ARGV[i + 1])
      redis.call('HSET', KEYS[3], id, ARGV[i + 2])
      redis.call('HSET', KEYS[4], id, ARGV[i + 3])
      redis.call('HSET', KEYS[5], id, ARGV[i + 4])
      redis.call('HINCRBY', KEYS[8], 'size', 1)
      redis.call('HINCRBY', KEYS[8], 'bytes', b)
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
local result = totals()
for _, v in ipairs(outcomes) do result[#result + 1] = v end
return result
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
for _, k in ipairs(hmget(KEYS[2], redis.call('ZRANGE', KEYS[6], 0, -1))) do
  if k then blocked[k] = true end
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
for _, id in ipairs(ARGV) do remove(id) end
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
local id = oldest_unleased(0)
if not id then return totals() end
local operation = { id, redis.call('HGET', KEYS[2], id), redis.call('HGET', KEYS[3], id),
  redis.call('HGET', KEYS[4], id), redis.call('HGET', KEYS[5], id) }
remove(id)
local result = totals()
for _, v in ipairs(operation) do result[#result + 1] = v end
return result
`;

// The scripts of `SharedOutcomes`, whose ARGV start with the instance's token and the age (ms) after which
// watches and recorded outcomes are forgotten, then list ids.
// NOTE: each trims what is older than that age (a bounded number per call, to keep the script short): the
// watches and outcomes of an instance that died, which nobody else would remove. A live instance refreshes its
// watches each time it collects.
const SHARED_PRELUDE = `${PRELUDE}
local now = now_ms()
local token = ARGV[1]
forget_until(KEYS[10], KEYS[11], now - tonumber(ARGV[2]), 1000)
forget_until(KEYS[12], KEYS[13], now - tonumber(ARGV[2]), 1000)
-- The ids: ARGV from first on.
local function ids_from(first)
  local ids = {}
  for i = first, #ARGV do ids[#ids + 1] = ARGV[i] end
  return ids
end
`;

/** ARGV: token, age, ids. Records that this token waits for the outcomes of the ids. Returns nothing. */
export const WATCH = `${SHARED_PRELUDE}
for i = 3, #ARGV do
  redis.call('ZADD', KEYS[10], now, ARGV[i])
  redis.call('HSET', KEYS[11], ARGV[i], token)
end
return {}
`;

/**
 * ARGV: token, age, outcome, reason, ids. For each id watched: ends the watch, and, when another token
 * watches it, records the outcome for that one to collect. Returns nothing.
 */
export const REPORT = `${SHARED_PRELUDE}
if redis.call('HLEN', KEYS[11]) == 0 then return {} end
local ids = ids_from(5)
local recorded = ARGV[3] .. '\\n' .. ARGV[4]
for i, watcher in ipairs(hmget(KEYS[11], ids)) do
  if watcher then
    redis.call('ZREM', KEYS[10], ids[i])
    redis.call('HDEL', KEYS[11], ids[i])
    if watcher ~= token then
      redis.call('ZADD', KEYS[12], now, ids[i])
      redis.call('HSET', KEYS[13], ids[i], recorded)
    end
  end
end
return {}
`;

/**
 * ARGV: token, age, ids. Answers and forgets the outcomes recorded for the ids; watches the others again (which
 * keeps a live waiter's watch from ageing out, and makes again one whose watch call failed), but for those
 * neither watched nor held any more: settled elsewhere while unwatched, they are answered with no outcome.
 * Returns id and recorded outcome pairs (an empty outcome for those).
 */
export const COLLECT = `${SHARED_PRELUDE}
local ids = ids_from(3)
local result = {}
for i, recorded in ipairs(hmget(KEYS[13], ids)) do
  if recorded then
    result[#result + 1] = ids[i]
    result[#result + 1] = recorded
    redis.call('ZREM', KEYS[12], ids[i])
    redis.call('HDEL', KEYS[13], ids[i])
  elseif redis.call('HEXISTS', KEYS[11], ids[i]) == 0 and redis.call('HEXISTS', KEYS[2], ids[i]) == 0 then
    result[#result + 1] = ids[i]
    result[#result + 1] = '\\n'
  else
    redis.call('ZADD', KEYS[10], now, ids[i])
    redis.call('HSET', KEYS[11], ids[i], token)
  end
end
return result
`;
