import { Redis } from 'ioredis';
import { KEY_NAMES, LAYOUT_PRELUDE } from '../lib/stores/redis/redis-queue-layout.lua.js';
import { RedisQueueStore } from '../lib/redis/index.js';
import { median } from './measure.js';
import { startRedis } from './redis-server.js';
import { line } from './report.js';
import { checkRatio, skipRatio } from './targets.js';

// `npm run bench`, last: what one LEASE of the Redis store costs as the queue grows, at 1,000 and at 1,000,000
// queued operations, of one person and spread over 10,000 people. A first lease holds the oldest batch (for one
// person, the person itself: every later LEASE must skip all of its operations), then LEASE is called over and
// over, each batch released at once. The time is Redis's own (INFO commandstats, reset before each LEASE): what LEASE
// blocks Redis for, without the network; the round trip seen by the caller is printed beside it. On a
// redis-server of its own (a free port, nothing saved), stopped at the end; skipped without `redis-server`.

const BATCH = 100;
const LEASES = 200;
const LOAD_CHUNK = 25_000;
const SIZES = [
  ['1k', 1_000],
  ['1m', 1_000_000],
] as const;
const SHAPES = [
  ['one_person', 1],
  ['10k_people', 10_000],
] as const;

// Queues operations `from`..`to` (ARGV) of `people` (operation i: id op-i, person p-(i % people), sequence i + 1),
// left as the store's appends leave them but written many at a time: a million appends one by one take minutes
// on a shared machine. The store reads the count back before anything is measured.
const LOAD = `${LAYOUT_PRELUDE}
local from, to, people = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local records, by_key = {}, {}
local total = 0
for i = from, to do
  local id, key, seq = 'op-' .. i, 'p-' .. (i % people), i + 1
  local json = '{"type":"person","action":"event","identifiers":{"id":"' .. key .. '"},"name":"bench","id":"' .. i .. '"}'
  add(records, id, #json .. ':0:' .. #key .. ':' .. key .. json)
  if not by_key[key] then by_key[key] = {} end
  add(by_key[key], seq, id)
  total = total + #json
end
chunked('HSET', OPERATIONS, records)
for key, members in pairs(by_key) do
  chunked('ZADD', BY_KEY .. key, members)
  redis.call('ZADD', KEY_HEADS, 'NX', members[1], key)
end
redis.call('HINCRBY', COUNTS, 'size', to - from + 1)
redis.call('HINCRBY', COUNTS, 'bytes', total)
redis.call('SET', SEQUENCE, to + 1)
return counts()
`;

/** Queues `count` operations spread over `people`, LOAD_CHUNK per script call. */
async function load(admin: Redis, prefix: string, count: number, people: number): Promise<void> {
  const keys = KEY_NAMES.map((name) => `{${prefix}}:${name}`);
  for (let from = 0; from < count; from += LOAD_CHUNK) {
    await admin.eval(LOAD, keys.length, ...keys, from, Math.min(count, from + LOAD_CHUNK) - 1, people);
  }
}

/** A queue of `count` operations of `people` on a prefix of its own, its first batch held by a lease. */
async function prepare(
  admin: Redis,
  url: string,
  count: number,
  people: number,
): Promise<{ leaser: RedisQueueStore; loadS: number; close(): Promise<void> }> {
  const prefix = `bench-lease-${count}-${people}`;
  // No lease runs out and no background refresh runs during the measurement.
  const options = { redis: url, prefix, visibilityTimeoutMs: 3_600_000, refreshIntervalMs: 3_600_000 };
  const loadStart = performance.now();
  await load(admin, prefix, count, people);
  const loadS = (performance.now() - loadStart) / 1_000;
  const [holder, leaser] = [new RedisQueueStore(options), new RedisQueueStore(options)];
  const close = async (): Promise<void> => void (await Promise.all([holder.close(), leaser.close()]));
  try {
    await holder.refresh();
    if (holder.size !== count) throw new Error(`the store holds ${holder.size} operations, expected ${count}`);
    await holder.lease({ maxOperations: BATCH, maxBytes: Number.MAX_SAFE_INTEGER });
    return { leaser, loadS, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** One LEASE (its batch released after): Redis's own time and the round trip, in µs. */
async function leaseOnce(admin: Redis, leaser: RedisQueueStore): Promise<[number, number]> {
  await admin.config('RESETSTAT');
  const start = performance.now();
  const batch = await leaser.lease({ maxOperations: BATCH, maxBytes: Number.MAX_SAFE_INTEGER });
  const roundTripUs = (performance.now() - start) * 1_000;
  const serverUs = Number(/cmdstat_evalsha:calls=1,usec=(\d+)/.exec(await admin.info('commandstats'))?.[1]);
  if (Number.isNaN(serverUs)) throw new Error('Redis did not count the LEASE');
  await leaser.release(batch);
  return [serverUs, roundTripUs];
}

/**
 * LEASE at each size of one shape of queue, the sizes' calls alternating (so that whatever else the machine does
 * weighs on each alike): medians of Redis's own time and of the round trip, in µs, and the load time, per size.
 */
async function measure(
  url: string,
  people: number,
): Promise<Map<string, { serverUs: number; roundTripUs: number; loadS: number }>> {
  const admin = new Redis(url);
  const queues: {
    size: string;
    leaser: RedisQueueStore;
    loadS: number;
    close(): Promise<void>;
    times: [number, number][];
  }[] = [];
  try {
    for (const [size, count] of SIZES) queues.push({ size, ...(await prepare(admin, url, count, people)), times: [] });
    for (let i = 0; i < LEASES; i++) for (const queue of queues) queue.times.push(await leaseOnce(admin, queue.leaser));
    return new Map(
      queues.map(({ size, loadS, times }) => [
        size,
        { serverUs: median(times.map(([us]) => us)), roundTripUs: median(times.map(([, us]) => us)), loadS },
      ]),
    );
  } finally {
    for (const queue of queues) await queue.close();
    await admin.flushall();
    await admin.quit();
  }
}

console.log(
  `\n[redis-lease] LEASE of ${BATCH} operations, ${LEASES} times, after a first lease holds the oldest batch`,
);
const redis = await startRedis();
if (!redis) {
  for (const [shape] of SHAPES) skipRatio(`redis_lease_1m_vs_1k_${shape}`, '<', 2, 'no redis-server on PATH');
} else {
  try {
    for (const [shape, people] of SHAPES) {
      const results = await measure(redis.url, people);
      for (const [size, { serverUs, roundTripUs, loadS }] of results) {
        line(`redis_lease_${size}_${shape}_us`, serverUs);
        line(`redis_lease_${size}_${shape}_round_trip_us`, roundTripUs.toFixed(0));
        line(`redis_lease_${size}_${shape}_load_s`, loadS.toFixed(1));
      }
      checkRatio(`redis_lease_1m_vs_1k_${shape}`, results.get('1m')!.serverUs / results.get('1k')!.serverUs, '<', 2);
    }
  } finally {
    redis.child.kill('SIGTERM');
  }
}
