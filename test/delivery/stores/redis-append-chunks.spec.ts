import { describe, expect, it } from '@jest/globals';
import { setImmediate, setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import type { RedisQueueStore } from '../../../lib/stores/redis/redis-queue.store.js';
import { countScripts, queuedOperation, useOwnRedisStores } from '../../support/redis-stores.js';

// The Redis store's appends in chunks: what one tick appends goes to Redis in APPEND scripts of at most 1,000
// operations or 512 KB, each answered on its own, and nothing of the store runs before the appends made before it.
// On a redis-server of the file's own; scripts are counted as the store's client sends them.

const ALL = { maxOperations: Number.MAX_SAFE_INTEGER, maxBytes: Number.MAX_SAFE_INTEGER };

const { redis, store: openStore } = useOwnRedisStores('redis-chunks');
const op = (id: string, key: string, bytes = 40) => queuedOperation(id, key, bytes);

async function makeStore(): Promise<RedisQueueStore> {
  const store = openStore();
  await store.ready();
  return store;
}

/** Runs `test` on a store whose ioredis client is the test's own, counting the scripts it sends from then on. */
async function withCountedScripts(
  test: (store: RedisQueueStore, scripts: ReturnType<typeof countScripts>) => Promise<void>,
): Promise<void> {
  const client = new Redis(redis.server.url);
  try {
    const store = openStore(undefined, { redis: client });
    await store.ready();
    await test(store, countScripts(client));
    await store.close();
  } finally {
    client.disconnect();
  }
}

describe('RedisQueueStore, appends in chunks', () => {
  it(
    'one tick of 2,500 small appends goes in 3 scripts, of 40 appends of 30 KB in 3: each stored, in order',
    () =>
      withCountedScripts(async (store, scripts) => {
        await store.append(op('first', 'k-0')); // loads the script
        /** Scripts sent while `run` ran. */
        const sentDuring = async (run: () => Promise<unknown>): Promise<number> => {
          const before = scripts.sent;
          await run();
          return scripts.sent - before;
        };

        const small = Array.from({ length: 2_500 }, (_, i) => op(`s-${i}`, `k-${i % 7}`));
        expect(await sentDuring(() => Promise.all(small.map((o) => store.append(o))))).toBe(3);
        const large = Array.from({ length: 40 }, (_, i) => op(`l-${i}`, `k-${i % 7}`, 30_000));
        expect(await sentDuring(() => Promise.all(large.map((o) => store.append(o))))).toBe(3);

        expect(store.size).toBe(2_541);
        const leased = (await store.lease(ALL)).map((o) => o.id);
        expect(leased).toEqual(['first', ...small.map((o) => o.id), ...large.map((o) => o.id)]);
      }),
    30_000,
  );

  it('a burst of 5,000 appends has at most two chunks awaiting Redis at once, the others wait as operations', () =>
    withCountedScripts(async (store, scripts) => {
      const appended = Array.from({ length: 5_000 }, (_, i) => op(`b-${i}`, `k-${i % 11}`, 300));
      await Promise.all(appended.map((o) => store.append(o)));

      expect(scripts.mostAwaiting).toBe(2);
      expect((await store.lease(ALL)).map((o) => o.id)).toEqual(appended.map((o) => o.id));
    }));

  it("while two chunks await a busy Redis, the next ticks' appends join one chunk, stored in order", () =>
    withCountedScripts(async (store, scripts) => {
      // NOTE: a script that loops keeps Redis busy (it answers nobody meanwhile).
      const busy = redis.admin.eval('for i = 1, 3e7 do end return 1', 0);
      await sleep(20);
      const appended: ReturnType<typeof op>[] = [];
      const answers: Promise<unknown>[] = [];
      for (let tick = 0; tick < 10; tick++) {
        for (let i = 0; i < 100; i++) {
          const o = op(`t-${tick}-${i}`, `k-${i % 13}`);
          appended.push(o);
          answers.push(store.append(o));
        }
        await setImmediate();
      }
      await Promise.all([busy, ...answers]);

      expect(scripts.sent).toBeLessThanOrEqual(3);
      expect((await store.lease(ALL)).map((o) => o.id)).toEqual(appended.map((o) => o.id));
    }));

  it('a lease asked for in the tick of the appends before it, chunks and all, hands them all out', async () => {
    const store = await makeStore();
    const appended = Array.from({ length: 2_100 }, (_, i) => op(`a-${i}`, `k-${i % 3}`));
    const answers = appended.map((o) => store.append(o));
    const lease = store.lease(ALL); // same tick: after the three chunks
    await Promise.all(answers);
    expect((await lease).map((o) => o.id)).toEqual(appended.map((o) => o.id));
  });

  it("a chunk Redis fails rejects that chunk's appends only: the chunks before and after it are stored", async () => {
    const store = await makeStore();
    const appended = Array.from({ length: 2_500 }, (_, i) => op(`a-${i}`, `k-${i % 5}`));
    // NOTE: bytes that are not a whole number cannot be read back from the operation's record: the script fails.
    appended[1_500] = { ...appended[1_500], bytes: 0.5 };
    const answers = await Promise.allSettled(appended.map((o) => store.append(o)));

    const failed = appended.filter((_, i) => answers[i].status === 'rejected').map((o) => o.id);
    expect(failed).toEqual(appended.slice(1_000, 2_000).map((o) => o.id));
    expect(store.size).toBe(1_500);
    const leased = (await store.lease(ALL)).map((o) => o.id);
    expect(leased).toEqual([...appended.slice(0, 1_000), ...appended.slice(2_000)].map((o) => o.id));
    expect(await store.has('a-1500')).toBe(false);
  });
});
