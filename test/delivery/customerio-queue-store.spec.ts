import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Test } from '@nestjs/testing';
import { describe, expect, it } from '@jest/globals';
import { CustomerIOConfigError, CustomerIOModule, CustomerIOQueueFullError } from '../../lib/index.js';
import {
  type AppendResult,
  MemoryQueueStore,
  type QueueBound,
  type QueuedOperation,
  SqliteQueueStore,
} from '../../lib/stores/index.js';
import { expectEachOnceOrReported } from '../support/delivery-assertions.js';
import { QUEUE_SUITE_SETUP, useTestApp } from '../support/test-app.js';

/** A store that outlives the application using it, as a durable (SQLite, Redis) store outlives the process. */
class KeepingStore extends MemoryQueueStore {
  readonly durable = true;
  appended = 0;

  override append(operation: QueuedOperation): void {
    this.appended += 1;
    super.append(operation);
  }
}

/**
 * A store that enforces the bound itself, as a shared store does: `othersHold` stands for what other
 * instances appended (this queue's view of the store does not show it), and appends answer asynchronously.
 */
class BoundingStore extends MemoryQueueStore {
  bounds: QueueBound[] = [];
  othersHold = 0;
  dropOldestCalls = 0;

  enforceBound(bound: QueueBound): void {
    this.bounds.push(bound);
  }

  override async append(operation: QueuedOperation): Promise<AppendResult | undefined> {
    await Promise.resolve();
    const { maxQueueSize, overflow } = this.bounds[0];
    const full = this.size + this.othersHold >= maxQueueSize;
    if (full && overflow === 'reject') return { rejected: true };
    const dropped = full ? super.dropOldest() : undefined; // not the counting override: that one is for the queue's calls
    super.append(operation);
    return dropped && { droppedIds: [dropped.id] };
  }

  override dropOldest(): QueuedOperation | undefined {
    this.dropOldestCalls += 1;
    return super.dropOldest();
  }
}

describe('the queue store option', () => {
  const ctx = useTestApp(QUEUE_SUITE_SETUP);

  it('keeps operations in the store it is given', async () => {
    const store = new KeepingStore();
    ctx.subject = await ctx.start({ queue: { store } });
    const ids = Array.from({ length: 7 }, (_, i) => ctx.subject!.client.track(`u-${i}`, 'stored').id);
    expect(store.appended).toBe(7);
    expect(store.size).toBe(7);
    await ctx.subject.client.flush();
    expect(store.size).toBe(0);
    expectEachOnceOrReported(ctx.sandbox, ids, ctx.subject.log);
  });

  it('a durable store keeps what shutdown could not send, and the next application delivers it once', async () => {
    const store = new KeepingStore();
    const first = await ctx.start({
      retry: { maxAttempts: 1 },
      queue: { store, shutdownTimeoutMs: 100 },
    });
    ctx.sandbox.respondWith(503, { path: '/api/v2/batch' });
    const ids = Array.from({ length: 5 }, (_, i) => first.client.track(`u-${i % 2}`, 'kept', { i }).id);
    await first.close();
    expect(first.log.ids('undelivered')).toEqual([]);
    expect(store.size).toBe(5);
    expect(ctx.sandbox.events).toHaveLength(0);

    ctx.sandbox.clearFaults();
    ctx.subject = await ctx.start({ queue: { store, flushIntervalMs: 20 } });
    await ctx.sandbox.waitFor(() => ctx.sandbox.events.length === 5, 2_000);
    expect(ctx.sandbox.events.map((e) => e.id)).toEqual(ids);
    await ctx.sandbox.waitFor(() => store.size === 0, 1_000);
  });

  it('a store that enforces the bound gets it once; what it refuses after the call is reported rejected, what it drops dropped', async () => {
    const store = new BoundingStore();
    store.othersHold = 2;
    ctx.subject = await ctx.start({ queue: { store, maxQueueSize: 3 } });
    expect(store.bounds).toEqual([{ maxQueueSize: 3, maxQueueBytes: 67_108_864, overflow: 'reject' }]);
    const kept = ctx.subject.client.track('u-1', 'kept');
    const refused = ctx.subject.client.track('u-2', 'refused'); // this queue's view says 1 of 3: only the store knows
    await expect(refused.delivered).rejects.toBeInstanceOf(CustomerIOQueueFullError);
    await expect(refused.stored).rejects.toBeInstanceOf(CustomerIOQueueFullError);
    await expect(kept.stored).resolves.toBeUndefined();
    expect(ctx.subject.client.stats).toMatchObject({ enqueued: 2, rejected: 1, queued: 1 });
    expect(ctx.subject.log.ids('rejected')).toEqual([refused.id]);
    await ctx.subject.client.flush();
    expectEachOnceOrReported(ctx.sandbox, [kept.id], ctx.subject.log);
    await ctx.subject.close();

    const dropping = new BoundingStore();
    ctx.subject = await ctx.start({
      queue: { store: dropping, maxQueueSize: 2, overflow: 'drop-oldest' },
    });
    const ids = ['a', 'b', 'c', 'd'].map((name) => ctx.subject!.client.track(`u-${name}`, 'bounded').id);
    await ctx.sandbox.waitFor(() => ctx.subject!.client.stats.dropped === 2, 1_000);
    expect(ctx.subject.log.ids('dropped')).toEqual(ids.slice(0, 2));
    expect(dropping.dropOldestCalls).toBe(0);
    await ctx.subject.client.flush();
    expect(ctx.sandbox.events.map((e) => e.id)).toEqual([kept.id, ...ids.slice(2)]);
  });

  it("receipt.stored settles with the store's answer to append: once its promise resolves, rejected when it rejects", async () => {
    const answers: { resolve(): void; reject(error: Error): void }[] = [];
    const store = new (class extends MemoryQueueStore {
      override append(operation: QueuedOperation): Promise<void> {
        super.append(operation);
        return new Promise((resolve, reject) => answers.push({ resolve, reject }));
      }
    })();
    ctx.subject = await ctx.start({ queue: { store, shutdownTimeoutMs: 50 } });
    const held = ctx.subject.client.track('u-1', 'held');
    const lost = ctx.subject.client.track('u-2', 'lost');
    let settled = 0;
    for (const receipt of [held, lost])
      void receipt.stored.then(
        () => (settled += 1),
        () => (settled += 1),
      );
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(0);
    answers[0].resolve();
    answers[1].reject(new Error('disk on fire'));
    await expect(held.stored).resolves.toBeUndefined();
    await expect(lost.stored).rejects.toThrow(
      `operation ${lost.id} was not stored: its queue store failed to append it (Error: disk on fire)`,
    );
    expect(ctx.subject.log.ids('failed')).toEqual([lost.id]);
  });

  it('a receipt whose store cannot be read rejects, saying so, instead of waiting forever', async () => {
    const store = new (class extends MemoryQueueStore {
      override has(): boolean {
        throw new Error('store is gone');
      }
    })();
    ctx.subject = await ctx.start({ queue: { store, shutdownTimeoutMs: 50 } });
    ctx.sandbox.hang({ path: '/api/v2/batch' });
    const receipt = ctx.subject.client.track('u-1', 'looked_up');
    void ctx.subject.client.flush(); // leases it: the receipt, read now, must ask the store
    await ctx.sandbox.waitFor(() => ctx.sandbox.pendingRequests === 1, 2_000);
    await expect(receipt.delivered).rejects.toThrow(
      /cannot be known: its store could not be read \(Error: store is gone\)/,
    );
  });

  it('refuses something that is not a store, at bootstrap', async () => {
    const error = await Test.createTestingModule({
      imports: [
        CustomerIOModule.forRoot({ ...ctx.sandbox.moduleOptions(), queue: { store: { append() {} } as never } }),
      ],
    })
      .compile()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(CustomerIOConfigError);
    expect((error as Error).message).toMatch(
      /option "queue.store" must be "memory", "sqlite", "redis" or a CustomerIOQueueStore \(append, lease, acknowledge, release, dropOldest, has\)/,
    );
  });

  it.each([
    [{ store: 'sqlite' as const }, /option "queue.sqlite.path" is required/],
    [
      { store: 'sqlite' as const, sqlite: { path: 'q.db', commit: 'batch' as 'tick' } },
      /option "queue.sqlite.commit" must be "tick" or "append", got "batch"/,
    ],
    [
      { store: 'sqlite' as const, sqlite: { path: 'q.db', synchronous: 'off' as 'full' } },
      /option "queue.sqlite.synchronous" must be "normal" or "full", got "off"/,
    ],
    [{ store: 'redis' as const, redis: { url: ' ' } }, /option "queue.redis.url" is required/],
    [{ store: 'disk' as 'memory' }, /option "queue.store" must be "memory", "sqlite", "redis"/],
  ])('a named store needs its settings, at bootstrap (%o)', async (queue, message) => {
    const error = await Test.createTestingModule({
      imports: [CustomerIOModule.forRoot({ ...ctx.sandbox.moduleOptions(), queue })],
    })
      .compile()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(CustomerIOConfigError);
    expect((error as Error).message).toMatch(message);
  });

  it("store: 'sqlite' opens the file at start-up, delivers through it, and closes it at shutdown", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cio-store-'));
    const path = join(dir, 'queue.db');
    try {
      const first = await ctx.start({ queue: { store: 'sqlite', sqlite: { path } } });
      const ids = Array.from({ length: 4 }, (_, i) => first.client.track(`u-${i}`, 'on_disk').id);
      await first.client.flush();
      await first.close();
      expectEachOnceOrReported(ctx.sandbox, ids, first.log);
      // closed at shutdown: a new store can open the same file at once
      const again = new SqliteQueueStore({ path });
      expect(again.size).toBe(0);
      again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("store: 'sqlite' with a file that is not a queue fails the application's start-up and leaves the file alone", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cio-store-'));
    const path = join(dir, 'notes.txt');
    writeFileSync(path, 'my notes, not a queue');
    try {
      const error = await Test.createTestingModule({
        imports: [
          CustomerIOModule.forRoot({ ...ctx.sandbox.moduleOptions(), queue: { store: 'sqlite', sqlite: { path } } }),
        ],
      })
        .compile()
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(String(error)).toContain(path);
      expect(readFileSync(path, 'utf8')).toBe('my notes, not a queue');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
