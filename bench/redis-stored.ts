import { setTimeout as sleep } from 'node:timers/promises';
import { CustomerIOClient } from '../lib/index.js';
import { createQueueApp, openStore } from './queue-app.js';
import { quantile } from './measure.js';
import { eventData, personIdOf } from './protocol.js';
import { startRedis } from './redis-server.js';
import { line } from './report.js';
import { STORE_OPTIONS } from './store-setup.js';

// `npm run bench`, part `redis-stored`: the Redis store's crash window, as the README states it: how long after a
// `client.track` its receipt's `stored` resolves (Redis answered the chunk of appends that carried it), with 1, 10,
// 100 and 1,000 calls a tick and the ticks apart (2 ms; 20 ms for 1,000), nothing delivered meanwhile. Figures only,
// no target. On a redis-server of its own (a free port, nothing saved), stopped at the end; skipped without one.

const SHAPES = [
  [1, 200, 2],
  [10, 200, 2],
  [100, 200, 2],
  [1_000, 60, 20],
] as const;

async function measure(url: string): Promise<void> {
  const store = await openStore(
    { kind: 'redis', url, prefix: 'bench-stored', options: STORE_OPTIONS.redis },
    'measured',
  );
  // NOTE: nothing is sent (the URL refuses connections, and no flush comes before the end): appends alone.
  const app = await createQueueApp(
    {
      siteId: 'bench',
      apiKey: 'bench',
      trackUrl: 'http://127.0.0.1:9',
      retry: false,
      queue: { flushIntervalMs: 3_600_000, maxBatchOperations: 1_000_000, maxQueueSize: 1_000_000, store },
    },
    false,
  );
  try {
    const client = app.get(CustomerIOClient);
    for (const [perTick, ticks, apartMs] of SHAPES) {
      const waits: number[] = [];
      const stored: Promise<void>[] = [];
      for (let tick = 0; tick < ticks; tick++) {
        for (let i = 0; i < perTick; i++) {
          const start = performance.now();
          const receipt = client.track(personIdOf(i), 'bench_stored', eventData(i));
          stored.push(receipt.stored.then(() => void waits.push(performance.now() - start)));
        }
        await sleep(apartMs);
      }
      await Promise.all(stored);
      waits.sort((a, b) => a - b);
      const name = `redis_stored_${perTick}_a_tick`;
      line(`${name}_p50_ms`, quantile(waits, 0.5).toFixed(2));
      line(`${name}_p99_ms`, quantile(waits, 0.99).toFixed(2));
    }
  } finally {
    await app.close();
    await store.close?.();
  }
}

console.log('\n[redis-stored] client.track to receipt.stored on the Redis store, ticks apart, nothing delivered');
const redis = await startRedis();
if (!redis) console.log('redis_stored: skipped (no redis-server on PATH)');
else {
  try {
    await measure(redis.url);
  } finally {
    redis.child.kill('SIGTERM');
  }
}
