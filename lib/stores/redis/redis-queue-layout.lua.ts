// The data layout of the Redis queue store, and the Lua every one of its scripts starts with. Each script
// runs atomically in Redis, so the contract of `CustomerIOQueueStore` holds across every instance sharing one prefix.
//
// KEYS, always in this order (all under one `{prefix}` hash tag, so they share a cluster slot):
//   1 layout       STRING  the layout's version, LAYOUT_VERSION (written by the first script run on the prefix)
//   2 sequence     STRING  last sequence number (append order)
//   3 counts       HASH    size, bytes: every operation held; leased, leased_bytes: those a lease holds
//   4 keys         ZSET    ordering key -> the sequence of its oldest operation (> 0) when no lease holds any of its
//                          operations (the key is ready), else minus how many of them leases hold: every key with
//                          operations
//   5 operations   HASH    id -> the operation's record: `<bytes>:<attempts>:<key's UTF-8 bytes>:<key><json>`
//   6 owners       HASH    id -> token of the lease holding it: leased operations only
//   7 leases       ZSET    token -> the lease's deadline (ms, Redis clock): live leases
//   8 lease-held   HASH    token -> how many operations the lease still holds
//   9 watches      ZSET    id -> when it was last watched (ms, Redis clock): receipts read, waiting for an outcome
//  10 watchers     HASH    id -> token of the instance watching it
//  11 settled      ZSET    id -> when its outcome was recorded, or when it was found gone with none (ms)
//  12 outcomes     HASH    id -> outcome, a newline, and its reason; '' while gone with no outcome recorded
//  13 by-key:      not a key: `{prefix}:by-key:<ordering key>` is each key's ZSET, id -> sequence, of every
//                  operation of the key held (leased or not)
//  14 lease:       not a key: `{prefix}:lease:<token>` is each live lease's LIST of the ids it took
//  15 key, 16 seq, 17 totals: the first layout's id -> key hash and counters (see LAYOUT_PRELUDE)
//
// NOTE: LEASE reads the oldest ready keys (those of `keys` scored above 0) and, from each, its operations that may be
// among the oldest, so a lease costs O(log n) per operation taken and a command per key taken from, whatever the
// queue holds: a leased key is skipped by its score (below 0), not by walking its operations. Per-key sorted sets
// (not lists) put a released or expired operation back in its place and let a late acknowledgement remove any
// operation in O(log n). An operation is one hash field and a member of its key's set (small, so cheap), and a
// deadline is a lease's, not each operation's: no sorted set holds every operation (the dearest part of a Redis
// queue). What drops need, the oldest operations no lease holds, is read when they happen (see `oldest_queued`).

/** Version of the layout below; a prefix written by an earlier one is refused while it holds operations. */
export const LAYOUT_VERSION = '3';

/** Key suffixes, in KEYS order. */
export const KEY_NAMES = [
  'layout',
  'sequence',
  'counts',
  'keys',
  'operations',
  'owners',
  'leases',
  'lease-held',
  'watches',
  'watchers',
  'settled',
  'outcomes',
  'by-key:',
  'lease:',
  'key',
  'seq',
  'totals',
] as const;

/** Number of KEYS every script takes. */
export const KEY_COUNT = KEY_NAMES.length;

/** Start of the error a script answers on a prefix that holds operations in an earlier layout. */
export const OLD_LAYOUT_ERROR = 'CUSTOMERIO_OLD_LAYOUT';

/** The field this layout writes in the first layout's `key` hash, which an instance of the second one refuses. */
const LAYOUT_MARKER = 'customerio:layout';

// NOTE: a prefix of the first layout (no version) keeps its operations in its `key` hash, one of the second (version
// '2') counts them in `counts` (same name, same fields): until they are gone, every script refuses the prefix; with
// none, the first layout's two leftover counters are deleted and the prefix takes this layout. A marker in the `key`
// hash makes an instance of the second layout refuse the prefix too, rather than read this layout as its own.
// `unpack` of a long list overflows Lua's C stack (about 8,000 values), so bulk commands go in chunks.
/** What every script starts with: the KEYS by name, the layout check, and helpers (`counts`, `hmget`, `mark_gone`, ...). */
export const LAYOUT_PRELUDE = `
local LAYOUT, SEQUENCE, COUNTS, KEY_HEADS, OPERATIONS = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local OWNERS, LEASES, LEASE_HELD = KEYS[6], KEYS[7], KEYS[8]
local WATCHES, WATCHERS, SETTLED, OUTCOMES = KEYS[9], KEYS[10], KEYS[11], KEYS[12]
local BY_KEY, LEASE_IDS = KEYS[13], KEYS[14]
local layout = redis.call('GET', LAYOUT)
if layout ~= '${LAYOUT_VERSION}' then
  local old = redis.call('HLEN', KEYS[15])
  if layout == '2' then old = tonumber(redis.call('HGET', COUNTS, 'size')) or 0 end
  if old > 0 then
    return redis.error_reply('${OLD_LAYOUT_ERROR} ' .. old)
  end
  redis.call('DEL', KEYS[16], KEYS[17])
  redis.call('SET', LAYOUT, '${LAYOUT_VERSION}')
  redis.call('HSET', KEYS[15], '${LAYOUT_MARKER}', '${LAYOUT_VERSION}')
end
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
-- Runs command on key with the values of list (and option first, if given), 1,000 values a call.
local function chunked(command, key, list, option)
  for i = 1, #list, 1000 do
    if option then
      redis.call(command, key, option, unpack(list, i, math.min(i + 999, #list)))
    else
      redis.call(command, key, unpack(list, i, math.min(i + 999, #list)))
    end
  end
end
-- Appends a and b to list (a field and its value, a score and its member).
local function add(list, a, b)
  list[#list + 1] = a
  list[#list + 1] = b
end
-- What command (HMGET, ZMSCORE) answers for each member of list, in its order (false for one not there).
local function each_of(command, key, list)
  local n = #list
  if n <= 1000 then return n == 0 and {} or redis.call(command, key, unpack(list, 1, n)) end
  local values = {}
  for i = 1, n, 1000 do
    local part = redis.call(command, key, unpack(list, i, math.min(i + 999, n)))
    for j = 1, #part do values[i + j - 1] = part[j] end
  end
  return values
end
-- The values of the fields in list, in its order (false for a field not set).
local function hmget(key, list) return each_of('HMGET', key, list) end
local function counts()
  local t = redis.call('HMGET', COUNTS, 'size', 'bytes')
  return { tonumber(t[1]) or 0, tonumber(t[2]) or 0 }
end
-- Notes that watched operation id is no longer held and no outcome was recorded for it (yet): from then on,
-- its watcher's collect waits a grace for the outcome, then answers that it cannot be known.
local function mark_gone(id, now)
  if redis.call('HSETNX', OUTCOMES, id, '') == 1 then redis.call('ZADD', SETTLED, now, id) end
end
`;
