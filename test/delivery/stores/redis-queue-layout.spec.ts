import { describe, expect, it } from '@jest/globals';
import { CustomerIOConfigError } from '../../../lib/errors/customerio.errors.js';
import type { QueuedOperation } from '../../../lib/interfaces/queue-store.interface.js';
import type { RedisQueueStore } from '../../../lib/stores/redis/redis-queue.store.js';
import { CustomerIOSandbox } from '../../../lib/testing/index.js';
import { QUEUE_SUITE_SETUP, startTestApp } from '../../support/test-app.js';
import { queuedOperation, useOwnRedisStores } from '../../support/redis-stores.js';

// The Redis store's data layout: what a LEASE costs does not depend on how many operations wait, and a prefix
// written in an earlier layout is refused. On a redis-server of the test's own, whose command counts
// (INFO commandstats, which counts the commands scripts run too) nobody else adds to.

const ALL = { maxOperations: Number.MAX_SAFE_INTEGER, maxBytes: Number.MAX_SAFE_INTEGER };

const { redis, stores, prefix: newPrefix, store: openStore } = useOwnRedisStores('redis-layout');
const op = queuedOperation;

function makeStore(prefix: string): RedisQueueStore {
  // NOTE: no renewal or refresh of its own may run while commands are counted.
  return openStore(prefix, { visibilityTimeoutMs: 3_600_000 });
}

/** Commands Redis ran (scripts and the commands they called) while `run` ran. */
async function commandsDuring(run: () => Promise<unknown>): Promise<number> {
  await Promise.all(stores.map((store) => store.ready()));
  await redis.admin.config('RESETSTAT');
  await run();
  const stats = await redis.admin.info('commandstats');
  let calls = 0;
  for (const [, command, count] of stats.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    if (command !== 'info' && !command.startsWith('config')) calls += Number(count);
  }
  return calls;
}

describe('RedisQueueStore, the cost of a lease', () => {
  /**
   * One person with `waiting` operations, whose first ten a lease holds, then three other people's:
   * what another instance's LEASE hands out, and the commands it costs.
   */
  async function leaseBehindOneLongPerson(waiting: number): Promise<{ leased: string[]; commands: number }> {
    const prefix = newPrefix();
    const [holder, leaser] = [makeStore(prefix), makeStore(prefix)];
    for (let start = 0; start < waiting; start += 500) {
      const tick = Array.from({ length: Math.min(500, waiting - start) }, (_, i) =>
        holder.append(op(`long-${start + i}`, 'long')),
      );
      await Promise.all(tick);
    }
    await Promise.all(['a', 'b', 'c'].map((person) => holder.append(op(`${person}-0`, person))));
    expect((await holder.lease({ maxOperations: 10, maxBytes: ALL.maxBytes })).map((o) => o.id)).toEqual(
      Array.from({ length: 10 }, (_, i) => `long-${i}`),
    );
    let leased: QueuedOperation[] = [];
    const commands = await commandsDuring(async () => (leased = await leaser.lease(ALL)));
    return { leased: leased.map((o) => o.id), commands };
  }

  it("LEASE skips a leased person's 5,000 waiting operations in as many commands as 200: it hands out the other people's at once", async () => {
    const short = await leaseBehindOneLongPerson(200);
    const long = await leaseBehindOneLongPerson(5_000);

    expect(long.leased).toEqual(['a-0', 'b-0', 'c-0']);
    expect(short.leased).toEqual(['a-0', 'b-0', 'c-0']);
    expect(long.commands).toBe(short.commands);
  }, 30_000);

  it('LEASE of five people behind many leased ones costs as many commands whether 5 or 995 people are leased', async () => {
    const costs: number[] = [];
    for (const people of [10, 1_000]) {
      const prefix = newPrefix();
      const [holder, leaser] = [makeStore(prefix), makeStore(prefix)];
      // operation i is person i % people's: each person's first operation comes before anyone's second
      await Promise.all(Array.from({ length: people * 5 }, (_, i) => holder.append(op(`op-${i}`, `p-${i % people}`))));
      await holder.lease({ maxOperations: people - 5, maxBytes: ALL.maxBytes }); // all people but the last five are held
      let leased: QueuedOperation[] = [];
      costs.push(
        await commandsDuring(async () => (leased = await leaser.lease({ maxOperations: 5, maxBytes: ALL.maxBytes }))),
      );
      expect(leased.map((o) => o.id)).toEqual(Array.from({ length: 5 }, (_, i) => `op-${people - 5 + i}`));
    }
    expect(costs[1]).toBe(costs[0]);
  }, 30_000);
});

describe('RedisQueueStore, a prefix written by an earlier version', () => {
  /** Writes, as the first version's store did, one queued operation (or, `none`, only its counters). */
  async function writeFirstLayout(prefix: string, none = false): Promise<void> {
    const key = (name: string): string => `{${prefix}}:${name}`;
    await redis.admin.set(key('seq'), '7');
    await redis.admin.hset(key('totals'), 'size', none ? 0 : 1, 'bytes', none ? 0 : 10);
    if (none) return;
    await redis.admin.zadd(key('queue'), 7, 'old-1');
    await redis.admin.hset(key('key'), 'old-1', 'u-1');
    await redis.admin.hset(key('json'), 'old-1', '{"type":"person"}');
  }

  /** Writes, as the second version's store did (layout '2'), two queued operations of one person (or, `none`, none). */
  async function writeSecondLayout(prefix: string, none = false): Promise<void> {
    const key = (name: string): string => `{${prefix}}:${name}`;
    await redis.admin.set(key('layout'), '2');
    await redis.admin.set(key('sequence'), '2');
    await redis.admin.hset(key('counts'), 'size', none ? 0 : 2, 'bytes', none ? 0 : 20);
    if (none) return;
    await redis.admin.zadd(key('ready'), 1, 'u-1');
    await redis.admin.zadd(key('by-key:u-1'), 1, 'old-1', 2, 'old-2');
    await redis.admin.hset(key('op-key'), 'old-1', 'u-1', 'old-2', 'u-1');
    await redis.admin.hset(key('op-json'), 'old-1', '{"type":"person"}', 'old-2', '{"type":"person"}');
  }

  it('holding operations: refused with an error naming the prefix, by the store and by the module at start-up; nothing is changed', async () => {
    const prefix = newPrefix();
    await writeFirstLayout(prefix);
    const store = makeStore(prefix);

    const refusal = await store.ready().catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(CustomerIOConfigError);
    expect(String(refusal)).toContain(
      `prefix "${prefix}" holds 1 operations written by an earlier version of this store`,
    );
    await expect(store.append(op('new-1', 'u-1'))).rejects.toThrow(`prefix "${prefix}"`);
    await expect(store.lease(ALL)).rejects.toThrow(CustomerIOConfigError);
    const sandbox = await CustomerIOSandbox.start();
    try {
      await expect(
        startTestApp({
          ...QUEUE_SUITE_SETUP,
          sandbox,
          options: { queue: { store: 'redis', redis: { url: redis.server.url, prefix } } },
        }),
      ).rejects.toThrow(`prefix "${prefix}" holds 1 operations`);
    } finally {
      await sandbox.close();
    }
    expect(await redis.admin.hgetall(`{${prefix}}:key`)).toEqual({ 'old-1': 'u-1' });
    expect(await redis.admin.exists(`{${prefix}}:layout`, `{${prefix}}:operations`)).toBe(0);
  });

  it('holding no operation: taken over, its old counters deleted', async () => {
    const prefix = newPrefix();
    await writeFirstLayout(prefix, true);
    const store = makeStore(prefix);

    await store.ready();
    await store.append(op('new-1', 'u-1'));
    expect((await store.lease(ALL)).map((o) => o.id)).toEqual(['new-1']);
    expect(await redis.admin.exists(`{${prefix}}:seq`, `{${prefix}}:totals`)).toBe(0);
    expect(await redis.admin.get(`{${prefix}}:layout`)).toBe('3');
  });

  it("the second version's layout, holding operations: refused, and nothing is changed", async () => {
    const prefix = newPrefix();
    await writeSecondLayout(prefix);
    const store = makeStore(prefix);

    const refusal = await store.ready().catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(CustomerIOConfigError);
    expect(String(refusal)).toContain(`prefix "${prefix}" holds 2 operations written by an earlier version`);
    await expect(store.append(op('new-1', 'u-1'))).rejects.toThrow(CustomerIOConfigError);
    expect(await redis.admin.get(`{${prefix}}:layout`)).toBe('2');
    expect(await redis.admin.hkeys(`{${prefix}}:op-key`)).toEqual(['old-1', 'old-2']);
    expect(await redis.admin.zrange(`{${prefix}}:by-key:u-1`, 0, -1)).toEqual(['old-1', 'old-2']);
    expect(await redis.admin.exists(`{${prefix}}:operations`, `{${prefix}}:key`)).toBe(0);
  });

  it("the second version's layout, holding none: taken over; an instance of the second version then refuses the prefix", async () => {
    const prefix = newPrefix();
    await writeSecondLayout(prefix, true);
    const store = makeStore(prefix);

    await store.ready();
    await store.append(op('new-1', 'u-1'));
    expect(await redis.admin.get(`{${prefix}}:layout`)).toBe('3');
    // The check the second version's scripts start with, as it was.
    const secondVersionCheck = `
      if redis.call('GET', KEYS[1]) ~= '2' then
        local old = redis.call('HLEN', KEYS[2])
        if old > 0 then return redis.error_reply('CUSTOMERIO_OLD_LAYOUT ' .. old) end
      end
      return 'reads the prefix as its own'`;
    await expect(redis.admin.eval(secondVersionCheck, 2, `{${prefix}}:layout`, `{${prefix}}:key`)).rejects.toThrow(
      'CUSTOMERIO_OLD_LAYOUT',
    );
    expect((await store.lease(ALL)).map((o) => o.id)).toEqual(['new-1']);
  });
});
