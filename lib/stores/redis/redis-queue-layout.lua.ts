// The data layout of the Redis queue store, and the Lua every one of its scripts starts with. Each script
// runs atomically in Redis, so the contract of `CustomerIOQueueStore` holds across every instance sharing one prefix.
//
// KEYS, always in this order (all under one `{prefix}` hash tag, so they share a cluster slot):
//   1 layout       STRING  the layout's version, LAYOUT_VERSION (written by the first script run on the prefix)
//   2 sequence     STRING  last sequence number (append order)
//   3 counts       HASH    size, bytes: every operation held; leased, leased_bytes: those a lease holds
//   4 ready        ZSET    ordering key -> sequence of its oldest operation: the keys with operations and no lease
//   5 unleased     ZSET    id -> sequence: the operations no lease holds (oldest first: what drop-oldest removes)
//   6 op-key       HASH    id -> ordering key
//   7 op-json      HASH    id -> operation JSON
//   8 op-bytes     HASH    id -> UTF-8 bytes of the JSON
//   9 op-attempts  HASH    id -> failed delivery attempts
//  10 op-sequence  HASH    id -> sequence number
//  11 deadlines    ZSET    id -> lease deadline (ms, Redis clock): leased operations only
//  12 owners       HASH    id -> token of the lease holding it
//  13 leased-keys  HASH    ordering key -> how many of its operations a lease holds (such a key is not ready)
//  14 watches      ZSET    id -> when it was last watched (ms, Redis clock): receipts read, waiting for an outcome
//  15 watchers     HASH    id -> token of the instance watching it
//  16 settled      ZSET    id -> when its outcome was recorded, or when it was found gone with none (ms)
//  17 outcomes     HASH    id -> outcome, a newline, and its reason; '' while gone with no outcome recorded
//  18 by-key:      not a key: `{prefix}:by-key:<ordering key>` is each key's ZSET, id -> sequence, of every
//                  operation of the key held (leased or not)
//  19 key, 20 seq, 21 totals: the previous layout's id -> key hash and counters (see LAYOUT_PRELUDE)
//
// NOTE: LEASE reads the oldest ready key, takes its oldest operation and moves the key to its next one, so a
// lease costs O(log n) per operation taken, whatever the queue holds: a leased key is skipped by not being in
// `ready`, not by walking its operations. Per-key sorted sets (not lists) put a released or expired
// operation back in its place and let a late acknowledgement remove any operation in O(log n).

/** Version of the layout below; a prefix written by the previous one (no version) is refused while it holds operations. */
export const LAYOUT_VERSION = '2';

/** Key suffixes, in KEYS order. */
export const KEY_NAMES = [
  'layout',
  'sequence',
  'counts',
  'ready',
  'unleased',
  'op-key',
  'op-json',
  'op-bytes',
  'op-attempts',
  'op-sequence',
  'deadlines',
  'owners',
  'leased-keys',
  'watches',
  'watchers',
  'settled',
  'outcomes',
  'by-key:',
  'key',
  'seq',
  'totals',
] as const;

/** Number of KEYS every script takes. */
export const KEY_COUNT = KEY_NAMES.length;

/** Start of the error a script answers on a prefix that holds operations in the previous layout. */
export const OLD_LAYOUT_ERROR = 'CUSTOMERIO_OLD_LAYOUT';

// NOTE: a prefix with no version was written by the previous layout (or never): operations in its `key` hash
// cannot be read by these scripts, so every script refuses the prefix until they are gone; with none, its
// two leftover counters are deleted and the prefix takes this layout.
// `unpack` of a long list overflows Lua's C stack (about 8,000 values), so bulk commands go in chunks.
/** What every script starts with: the KEYS by name, the layout check, and helpers (`counts`, `hmget`, `mark_gone`, ...). */
export const LAYOUT_PRELUDE = `
local LAYOUT, SEQUENCE, COUNTS, READY, UNLEASED = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local OP_KEY, OP_JSON, OP_BYTES, OP_ATTEMPTS, OP_SEQUENCE = KEYS[6], KEYS[7], KEYS[8], KEYS[9], KEYS[10]
local DEADLINES, OWNERS, LEASED_KEYS = KEYS[11], KEYS[12], KEYS[13]
local WATCHES, WATCHERS, SETTLED, OUTCOMES, BY_KEY = KEYS[14], KEYS[15], KEYS[16], KEYS[17], KEYS[18]
if redis.call('GET', LAYOUT) ~= '${LAYOUT_VERSION}' then
  local old = redis.call('HLEN', KEYS[19])
  if old > 0 then
    return redis.error_reply('${OLD_LAYOUT_ERROR} ' .. old)
  end
  redis.call('DEL', KEYS[20], KEYS[21])
  redis.call('SET', LAYOUT, '${LAYOUT_VERSION}')
end
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
