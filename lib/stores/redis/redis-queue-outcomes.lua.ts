// Lua scripts of the Redis queue store's `SharedOutcomes` (the layout and KEYS: redis-queue-layout.lua.ts).
// Their ARGV start with the instance's token and the age (ms) after which watches and recorded outcomes are
// forgotten, then (but for REPORT and COLLECT) list ids.
// NOTE: each trims what is older than that age (a bounded number per call, to keep the script short): the
// watches and outcomes of an instance that died, which nobody else would remove. A live instance refreshes its
// watches each time it collects.
import { LAYOUT_PRELUDE } from './redis-queue-layout.lua.js';

const PRELUDE = `${LAYOUT_PRELUDE}
local now = now_ms()
local token = ARGV[1]
-- Removes the members of sorted set times scored up to cutoff (at most 1,000 of them), and their fields of hash fields.
local function forget_until(times, fields, cutoff)
  local old = redis.call('ZRANGEBYSCORE', times, '-inf', cutoff, 'LIMIT', 0, 1000)
  if #old > 0 then
    chunked('ZREM', times, old)
    chunked('HDEL', fields, old)
  end
end
forget_until(WATCHES, WATCHERS, now - tonumber(ARGV[2]))
forget_until(SETTLED, OUTCOMES, now - tonumber(ARGV[2]))
-- The ids: ARGV from first on.
local function ids_from(first)
  local ids = {}
  for i = first, #ARGV do ids[#ids + 1] = ARGV[i] end
  return ids
end
local function watch(id)
  redis.call('ZADD', WATCHES, now, id)
  redis.call('HSET', WATCHERS, id, token)
end
local function forget_outcome(id)
  redis.call('ZREM', SETTLED, id)
  redis.call('HDEL', OUTCOMES, id)
end
`;

/**
 * ARGV: token, age, ids. Records that this token waits for the outcomes of the ids; one no longer held is
 * noted gone from now (see COLLECT). Returns nothing.
 */
export const WATCH = `${PRELUDE}
for i = 3, #ARGV do
  watch(ARGV[i])
  if redis.call('HEXISTS', OPERATIONS, ARGV[i]) == 0 then mark_gone(ARGV[i], now) end
end
return {}
`;

/**
 * ARGV: token, age, outcome, reason, ids. For each id watched: ends the watch, and, when another token
 * watches it, records the outcome for that one to collect. Returns nothing.
 */
export const REPORT = `${PRELUDE}
if redis.call('HLEN', WATCHERS) == 0 then return {} end
local ids = ids_from(5)
local recorded = ARGV[3] .. '\\n' .. ARGV[4]
for i, watcher in ipairs(hmget(WATCHERS, ids)) do
  if watcher then
    redis.call('ZREM', WATCHES, ids[i])
    redis.call('HDEL', WATCHERS, ids[i])
    if watcher ~= token then
      redis.call('ZADD', SETTLED, now, ids[i])
      redis.call('HSET', OUTCOMES, ids[i], recorded)
    else
      forget_outcome(ids[i])
    end
  end
end
return {}
`;

/**
 * ARGV: token, age, grace (ms), ids. Answers, and forgets, the outcomes recorded for the ids, and watches the
 * others again (which keeps a live waiter's watch from ageing out, and makes again one whose watch call failed).
 * Answered with no outcome (an empty one): an id neither watched nor held (settled elsewhere while unwatched),
 * and an id watched but gone for `grace` with no outcome recorded (the instance that settled it could not
 * report it). Returns id and recorded outcome pairs.
 */
export const COLLECT = `${PRELUDE}
local grace = tonumber(ARGV[3])
local ids = ids_from(4)
local result = {}
local function answer(id, recorded)
  result[#result + 1] = id
  result[#result + 1] = recorded
  forget_outcome(id)
end
for i, recorded in ipairs(hmget(OUTCOMES, ids)) do
  local id = ids[i]
  if recorded and recorded ~= '' then
    answer(id, recorded)
  elseif redis.call('HEXISTS', OPERATIONS, id) == 1 then
    watch(id)
  elseif redis.call('HEXISTS', WATCHERS, id) == 0 then
    answer(id, '\\n')
  elseif recorded and now - tonumber(redis.call('ZSCORE', SETTLED, id) or now) >= grace then
    redis.call('ZREM', WATCHES, id)
    redis.call('HDEL', WATCHERS, id)
    answer(id, '\\n')
  else
    watch(id)
    mark_gone(id, now)
  end
end
return result
`;
