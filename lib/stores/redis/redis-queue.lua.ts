// Lua scripts of the Redis queue store's operations (the layout and KEYS: redis-queue-layout.lua.ts; the functions
// they share: redis-queue-prelude.lua.ts). Every script costs O(log n) per operation it touches (appends, leases,
// drops, acknowledges, releases, expires), and a few commands per script call or per person it touches.
import { LAYOUT_PRELUDE } from './redis-queue-layout.lua.js';
import { QUEUE_PRELUDE } from './redis-queue-prelude.lua.js';

/**
 * ARGV: maxQueueSize, maxQueueBytes, overflow ('reject' or 'drop-oldest'), then a msgpack array of the id and record
 * (see the layout) of each of one or more operations, in order. Appends each unless its id is held already, within the bound: an
 * operation that does not fit is refused, unless under 'drop-oldest' removing operations no instance has leased
 * makes room: then the oldest of them are removed, as few as it takes. Returns the counts, then for each operation
 * refused or that made room: its place in the list (1 for the first), 1 if it was refused (else 0), the number of
 * operations removed for it, and their ids.
 */
export const APPEND = `${QUEUE_PRELUDE}
local max_size, max_bytes = tonumber(ARGV[1]), tonumber(ARGV[2])
local drops = ARGV[3] == 'drop-oldest'
local fields = cmsgpack.unpack(ARGV[4])
-- Each operation's bytes and key, by the index of its id in fields.
local size_at, key_at = {}, {}
-- Queues, last and in order, the operations whose ids are at each index of starts in fields.
local function insert(starts)
  if #starts == 0 then return end
  local seq = redis.call('INCRBY', SEQUENCE, #starts) - #starts
  local records, total, n = {}, 0, 0
  -- The keys, in order, and the sequence and id of each one's operations.
  local keys, members_of = {}, {}
  for _, i in ipairs(starts) do
    seq = seq + 1
    -- NOTE: converted once: it goes to Redis twice for a key's first operation.
    local id, key, sequence = fields[i], key_at[i], string.format('%.0f', seq)
    records[n + 1], records[n + 2], n = id, fields[i + 1], n + 2
    total = total + size_at[i]
    local members = members_of[key]
    if members then
      add(members, sequence, id)
    else
      keys[#keys + 1] = key
      members_of[key] = { sequence, id }
    end
  end
  chunked('HSET', OPERATIONS, records)
  local heads = {}
  n = 0
  for _, key in ipairs(keys) do
    local members = members_of[key]
    chunked('ZADD', queue_of(key), members)
    heads[n + 1], heads[n + 2], n = members[1], key, n + 2
  end
  -- NX: a key with operations already keeps its score (its older head, or its leases).
  chunked('ZADD', KEY_HEADS, heads, 'NX')
  redis.call('HINCRBY', COUNTS, 'size', #starts)
  redis.call('HINCRBY', COUNTS, 'bytes', total)
end
local t = counts()
local size, total = t[1], t[2]
-- The oldest operations no lease holds, once a drop needs them (see oldest_queued).
local next_queued
local outcomes = {}
local ids = {}
for i = 1, #fields, 2 do ids[#ids + 1] = fields[i] end
local held = hmget(OPERATIONS, ids)
-- The operations that fit, not inserted yet: inserted together, or before a drop (which may remove one of them).
local fitting, taken = {}, {}
for n, id in ipairs(ids) do
  local i = 2 * n - 1
  if not held[n] and not taken[id] then
    local b, key = parse(fields[i + 1])
    size_at[i], key_at[i] = b, key
    local fits = size < max_size and total + b <= max_bytes
    if not fits and drops then
      insert(fitting)
      fitting = {}
      -- What live leases hold, which no drop can free.
      if not next_queued then
        expire(now_ms())
        next_queued = oldest_queued()
      end
      local l = redis.call('HMGET', COUNTS, 'leased', 'leased_bytes')
      fits = (tonumber(l[1]) or 0) < max_size and (tonumber(l[2]) or 0) + b <= max_bytes
    end
    local dropped = {}
    if fits then
      while size >= max_size or total + b > max_bytes do
        local oldest = next_queued()
        dropped[#dropped + 1] = oldest
        size, total = size - 1, total - remove({ oldest })
      end
      fitting[#fitting + 1] = i
      taken[id] = true
      size, total = size + 1, total + b
    end
    if not fits or #dropped > 0 then
      outcomes[#outcomes + 1] = n
      outcomes[#outcomes + 1] = fits and 0 or 1
      outcomes[#outcomes + 1] = #dropped
      for _, dropped_id in ipairs(dropped) do outcomes[#outcomes + 1] = dropped_id end
    end
  end
end
insert(fitting)
local result = counts()
for _, v in ipairs(outcomes) do result[#result + 1] = v end
return result
`;

/**
 * ARGV: maxOperations, maxBytes, visibilityTimeoutMs, token. Leases the oldest operations whose key has no live
 * lease (by any instance), in order, until a limit is reached. Returns the counts, then for each leased operation:
 * id, key, record.
 */
// NOTE: those operations are the oldest among those of the ready keys, and only the first maxOperations ready keys
// (by oldest operation) can hold one of them. Each of these keys is read once, up to the newest operation that may
// still be among them (the oldest of the last such key's, lowered as candidates pile up); the candidates are sorted
// by sequence and taken in order until a limit is reached.
export const LEASE = `${QUEUE_PRELUDE}
local now = now_ms()
expire(now)
local max_ops, max_bytes = tonumber(ARGV[1]), tonumber(ARGV[2])
local deadline, token = now + tonumber(ARGV[3]), ARGV[4]
-- NOTE: a Lua number reaches Redis as '%.17g': a larger count would not read as an integer.
local limit = math.min(max_ops, 1e9)
if limit < 1 then return counts() end
local count = numeral(limit)
local heads = redis.call('ZRANGE', KEY_HEADS, '(0', '+inf', 'BYSCORE', 'LIMIT', '0', count, 'WITHSCORES')
-- The newest operation that may be leased (as a number, and as a string for Redis).
local newest, upto = math.huge, '+inf'
if #heads == 2 * limit then newest, upto = tonumber(heads[#heads]), heads[#heads] end
-- Candidates: their sequences, and the id and key at each sequence.
local sequences, id_at, key_at, n = {}, {}, {}, 0
for i = 1, #heads, 2 do
  local key = heads[i]
  if tonumber(heads[i + 1]) > newest then break end
  local run = redis.call('ZRANGE', BY_KEY .. key, heads[i + 1], upto, 'BYSCORE', 'LIMIT', '0', count, 'WITHSCORES')
  if #run == 0 then settle_keys({ key }, { [key] = 0 }) end
  for j = 1, #run, 2 do
    local seq = tonumber(run[j + 1])
    n = n + 1
    sequences[n] = seq
    id_at[seq], key_at[seq] = run[j], key
  end
  if n >= 2 * limit then
    table.sort(sequences)
    for j = n, limit + 1, -1 do sequences[j] = nil end
    n = limit
    newest = sequences[limit]
    upto = string.format('%.0f', newest)
  end
end
table.sort(sequences)
local taken = {}
for j = 1, math.min(#sequences, limit) do taken[j] = id_at[sequences[j]] end
local records, total = hmget(OPERATIONS, taken), 0
for j, record in ipairs(records) do
  local b = tonumber(string.match(record, '^%d+'))
  if total + b > max_bytes then
    for k = #taken, j, -1 do taken[k] = nil end
    break
  end
  total = total + b
end
if #taken == 0 then return counts() end
-- Keys leased by this call, in order, and how many operations of each.
local keys, per_key, owners = {}, {}, {}
for j, id in ipairs(taken) do
  tally(keys, per_key, key_at[sequences[j]])
  owners[2 * j - 1], owners[2 * j] = id, token
end
local leased_keys = {}
for _, key in ipairs(keys) do add(leased_keys, numeral(-per_key[key]), key) end
chunked('HSET', OWNERS, owners)
chunked('ZADD', KEY_HEADS, leased_keys, 'XX')
redis.call('ZADD', LEASES, deadline, token)
redis.call('HSET', LEASE_HELD, token, #taken)
chunked('RPUSH', lease_of(token), taken)
count_leased(#taken, total)
local result = counts()
for j, id in ipairs(taken) do
  result[3 * j], result[3 * j + 1], result[3 * j + 2] = id, key_at[sequences[j]], records[j]
end
return result
`;

/** ARGV: ids. Forgets the operations, whoever holds them. Returns the counts. */
export const ACKNOWLEDGE = `${QUEUE_PRELUDE}
remove(ARGV)
return counts()
`;

/**
 * ARGV: token, then id and attempts pairs. Ends this token's lease of each operation (it is queued again in its
 * place) and records its attempts; an operation leased by someone else since is left alone. Returns the counts.
 */
export const RELEASE = `${QUEUE_PRELUDE}
local token = ARGV[1]
local ids = {}
for i = 2, #ARGV, 2 do ids[#ids + 1] = ARGV[i] end
local owners, records = hmget(OWNERS, ids), hmget(OPERATIONS, ids)
local ended, rewritten, seen = {}, {}, {}
for n, id in ipairs(ids) do
  local owner, record = owners[n], records[n]
  if record and (owner == token or not owner) then
    local b, rest = string.match(record, '^(%d+):%d+:()')
    add(rewritten, id, b .. ':' .. ARGV[2 * n + 1] .. ':' .. string.sub(record, rest))
  end
  if owner == token and not seen[id] then
    seen[id] = true
    ended[#ended + 1] = id
  end
end
chunked('HSET', OPERATIONS, rewritten)
unlease(ended)
if #ended > 0 then shrink_leases({ token }, { [token] = #ended }) end
return counts()
`;

/** ARGV: visibilityTimeoutMs, then tokens. Extends the leases of these tokens still live. Returns the counts. */
export const RENEW = `${LAYOUT_PRELUDE}
local deadline = now_ms() + tonumber(ARGV[1])
local renewed = {}
for i = 2, #ARGV do add(renewed, deadline, ARGV[i]) end
chunked('ZADD', LEASES, renewed, 'XX')
return counts()
`;

/** No ARGV. Removes the oldest operation not leased. Returns the counts, then id, key, record if one was removed. */
export const DROP_OLDEST = `${QUEUE_PRELUDE}
expire(now_ms())
local id = oldest_queued()()
if not id then return counts() end
local record = redis.call('HGET', OPERATIONS, id)
local _, key = parse(record)
remove({ id })
local result = counts()
for _, v in ipairs({ id, key, record }) do result[#result + 1] = v end
return result
`;

/**
 * No ARGV. Returns the counts (size, bytes), then the id of the oldest operation held (queued or leased, by
 * sequence), if any: the oldest ready key's first, or a leased key's first (a read of each leased key's first).
 */
export const COUNTS = `${LAYOUT_PRELUDE}
local result = counts()
local oldest, oldest_seq
local candidates = redis.call('ZRANGE', KEY_HEADS, '(0', '+inf', 'BYSCORE', 'LIMIT', '0', '1')
for _, key in ipairs(redis.call('ZRANGE', KEY_HEADS, '-inf', '(0', 'BYSCORE')) do candidates[#candidates + 1] = key end
for _, key in ipairs(candidates) do
  local head = redis.call('ZRANGE', BY_KEY .. key, 0, 0, 'WITHSCORES')
  local seq = tonumber(head[2])
  if seq and (not oldest_seq or seq < oldest_seq) then oldest, oldest_seq = head[1], seq end
end
if oldest then result[3] = oldest end
return result
`;

/** ARGV: id. Returns { 1 } if the operation is held (queued or leased), else { 0 }. */
export const HAS = `${LAYOUT_PRELUDE}
return { redis.call('HEXISTS', OPERATIONS, ARGV[1]) }
`;
