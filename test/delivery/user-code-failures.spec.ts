/**
 * User code the module calls — delivery hooks and interceptors — may throw or reject: the operation's outcome
 * stands, the queue goes on, the process does not see an unhandled rejection (Jest fails a test that leaves
 * one), and each failure is counted in `stats` and summed into one log line a flush interval.
 */
import { beforeEach, describe, expect, it } from '@jest/globals';
import {
  type CustomerIOClient,
  CustomerIOError,
  CustomerIOHttpError,
  type CustomerIOInterceptor,
  type CustomerIOModuleOptions,
  type CustomerIOOutboundRequest,
} from '../../lib/index.js';
import { QUEUE_SUITE_SETUP, rejectionOf, useTestApp } from '../support/test-app.js';
import { LogCapture } from '../support/log-capture.js';

const logs = new LogCapture();
const DOWN = 'metrics backend down';

/** Hook bodies failing synchronously or asynchronously. */
const failing = {
  sync: (): void => {
    throw new Error(DOWN);
  },
  async: async (): Promise<void> => {
    await Promise.resolve();
    throw new Error(DOWN);
  },
};
type Mode = keyof typeof failing;

/** The `CustomerIO` warn lines matching `pattern`. */
const linesMatching = (pattern: RegExp): string[] =>
  logs.messages('warn', 'CustomerIO').filter((line) => pattern.test(line));
/** The count a summary line starts with. */
const countOf = (line: string): number => Number(/^(?:\w+: )?(\d+)/.exec(line)?.[1]);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('user code that fails never changes an outcome or stops delivery', () => {
  const ctx = useTestApp({ ...QUEUE_SUITE_SETUP, logger: logs });

  /** A started app sending to the sandbox, logging into `logs`; the flush interval is long unless the options say otherwise. */
  async function start(options: Partial<CustomerIOModuleOptions>): Promise<CustomerIOClient> {
    ctx.subject = await ctx.start(options);
    return ctx.subject.client;
  }

  beforeEach(() => logs.clear());

  describe('delivery hooks', () => {
    it.each<Mode>(['sync', 'async'])(
      'hooks that fail (%s) on every outcome: each outcome stands, counted in hookErrors, one summary line per flush',
      async (mode) => {
        const client = await start({
          hooks: { onDelivered: failing[mode], onFailed: failing[mode], onDropped: failing[mode] },
          queue: { maxQueueSize: 5, overflow: 'drop-oldest' },
        });
        const dropped = [client.track('u-0', 'first').id, client.track('u-0', 'second').id];
        const ok1 = client.track('u-1', 'fine');
        const ok1Delivered = ok1.delivered; // a receipt is read right after the call
        const merge = client.mergeCustomers({ id: 'nobody' }, { id: 'u-1' }); // invalid: a 207 item
        const invalid = rejectionOf(merge.delivered);
        const rest = [client.track('u-2', 'fine').id, client.track('u-3', 'fine').id, client.track('u-4', 'fine').id]; // drop 2

        await client.flush();

        await expect(ok1Delivered).resolves.toBeUndefined();
        expect(String(await invalid)).toMatch(/primary/);
        expect(ctx.sandbox.events.map((event) => event.id)).toEqual([ok1.id, ...rest]);
        expect(ctx.sandbox.events.map((event) => event.id)).not.toEqual(expect.arrayContaining(dropped));
        // two drops (one report each), one delivered batch, one invalid item: four hook calls, four failures
        expect(client.stats).toMatchObject({
          delivered: 4,
          invalid: 1,
          dropped: 2,
          hookErrors: 4,
          interceptorErrors: 0,
        });
        expect(linesMatching(/hook/)).toEqual([
          expect.stringMatching(
            /^4 delivery hook calls threw or rejected \(user code; ignored, the outcomes they reported stand\), last: on(Delivered|Failed|Dropped): metrics backend down$/,
          ),
        ]);
        expect(linesMatching(/^dropped: /)).toEqual([
          'dropped: 2 operations, last: queue full (overflow: drop-oldest)',
        ]);

        // the queue goes on; the next flush's line counts only what failed since the last one
        const later = client.track('u-5', 'later').delivered;
        await client.flush();
        await expect(later).resolves.toBeUndefined();
        expect(client.stats).toMatchObject({ delivered: 5, hookErrors: 5 });
        expect(linesMatching(/hook/).map(countOf)).toEqual([4, 1]);
      },
    );

    it('on its own flush interval (no flush() called), hook failures are summed: one line per interval, the counts adding up', async () => {
      const intervalMs = 100;
      const client = await start({
        hooks: { onDelivered: failing.async },
        queue: { flushIntervalMs: intervalMs, maxBatchOperations: 1 },
      });
      const started = Date.now();

      const ids = Array.from({ length: 200 }, (_, i) => client.track(`u-${i % 10}`, 'one_per_batch', { i }).id); // 200 batches
      await ctx.sandbox.waitFor(() => client.stats.delivered === 200, 10_000);
      await sleep(intervalMs * 2.5); // at least two more ticks: every failure is in a line by then
      const ticks = Math.floor((Date.now() - started) / intervalMs);

      expect(ctx.sandbox.events.map((event) => event.id)).toEqual(expect.arrayContaining(ids));
      expect(client.stats.hookErrors).toBe(200);
      const lines = linesMatching(/delivery hook call/);
      expect(lines.reduce((sum, line) => sum + countOf(line), 0)).toBe(200);
      expect(lines.length).toBeLessThanOrEqual(ticks);
      expect(lines.every((line) => line.endsWith(`last: onDelivered: ${DOWN}`))).toBe(true);
    });
  });

  it('a hook failing on what shutdown reports (undelivered) is in the line shutdown writes last', async () => {
    const client = await start({ hooks: { onFailed: failing.async }, queue: { shutdownTimeoutMs: 100 } });
    ctx.sandbox.hang();
    const left = client.track('u-1', 'left_behind').delivered.catch((error: unknown) => error);

    await ctx.subject.close();

    expect(String(await left)).toMatch(/shutdown deadline/);
    expect(client.stats).toMatchObject({ undelivered: 1, hookErrors: 1 });
    expect(linesMatching(/hook/)).toEqual([
      expect.stringMatching(/^1 delivery hook call threw or rejected .*, last: onFailed: metrics backend down$/),
    ]);
  });

  describe('interceptors', () => {
    /** Counts the requests that reach it: placed after the failing interceptor, it shows the chain went on. */
    class Counting implements CustomerIOInterceptor {
      readonly seen: string[] = [];
      intercept<T>(context: CustomerIOOutboundRequest, next: () => Promise<T>): Promise<T> {
        this.seen.push(context.operation);
        return next();
      }
    }

    const beforeNext: Record<Mode, CustomerIOInterceptor> = {
      sync: new (class BrokenBeforeNext implements CustomerIOInterceptor {
        intercept<T>(): Promise<T> {
          throw new TypeError('cannot read properties of undefined');
        }
      })(),
      async: new (class BrokenBeforeNext implements CustomerIOInterceptor {
        async intercept<T>(): Promise<T> {
          await Promise.resolve();
          throw new TypeError('cannot read properties of undefined');
        }
      })(),
    };

    it.each<Mode>(['sync', 'async'])(
      'one that fails (%s) before calling next(): the request goes through the rest of the chain as if it were absent',
      async (mode) => {
        const counting = new Counting();
        const client = await start({ interceptors: [beforeNext[mode], counting] });

        const queued = client.track('u-1', 'queued').delivered;
        await client.direct.track('u-1', 'direct');
        await client.flush();

        await expect(queued).resolves.toBeUndefined();
        expect(ctx.sandbox.events.map((event) => event.name).sort()).toEqual(['direct', 'queued']);
        expect(counting.seen.sort()).toEqual(['batch', 'track']);
        expect(client.stats).toMatchObject({ delivered: 1, failed: 0, interceptorErrors: 2 });
        expect(linesMatching(/interceptor/)).toEqual([
          '2 interceptor calls threw or rejected (user code; ignored, the requests went on without it), ' +
            'last: interceptors[0] (BrokenBeforeNext): cannot read properties of undefined',
        ]);
      },
    );

    it('one that fails after next() succeeded: the delivery stands (sync throw with its next() promise dropped, and async)', async () => {
      const dropsNext: CustomerIOInterceptor = {
        intercept<T>(_context: CustomerIOOutboundRequest, next: () => Promise<T>): Promise<T> {
          void next();
          throw new Error('sync bug after next()');
        },
      };
      const awaitsNext: CustomerIOInterceptor = {
        async intercept<T>(_context: CustomerIOOutboundRequest, next: () => Promise<T>): Promise<T> {
          await next();
          throw new Error('async bug after next()');
        },
      };
      const client = await start({ interceptors: [awaitsNext, dropsNext] });

      const queued = client.track('u-1', 'queued').delivered;
      await client.direct.identify('u-2', { plan: 'pro' });
      await client.flush();

      await expect(queued).resolves.toBeUndefined();
      expect(ctx.sandbox.batches).toHaveLength(1); // sent once: the inner answer is reused, not asked for again
      expect(ctx.sandbox.events.map((event) => event.name)).toEqual(['queued']);
      expect(ctx.sandbox.people.get('u-2')?.attributes).toMatchObject({ plan: 'pro' });
      expect(client.stats).toMatchObject({ delivered: 1, interceptorErrors: 4 });
      expect(linesMatching(/interceptor/)).toEqual([
        expect.stringMatching(/^4 interceptor calls .* last: interceptors\[0\]: async bug after next\(\)$/),
      ]);
    });

    it("one that fails after next() failed: next()'s error stands, and a dropped next() that rejects is no unhandled rejection", async () => {
      const dropsNext: CustomerIOInterceptor = {
        intercept<T>(_context: CustomerIOOutboundRequest, next: () => Promise<T>): Promise<T> {
          void next();
          throw new Error('sync bug after next()');
        },
      };
      const client = await start({ interceptors: [dropsNext] });
      ctx.sandbox.respondWith(401, { times: 2 });

      const direct = await rejectionOf(client.direct.track('u-1', 'direct'));
      const queued = client.track('u-1', 'queued');
      const refused = rejectionOf(queued.delivered);
      await client.flush();

      expect(direct).toBeInstanceOf(CustomerIOHttpError);
      expect((direct as CustomerIOHttpError).status).toBe(401);
      expect((await refused) as CustomerIOError).toMatchObject({ status: 401 });
      expect(client.stats).toMatchObject({ failed: 1, interceptorErrors: 2 });
    });

    it('a CustomerIOError it throws is a deliberate outcome: the request fails with it, and nothing is counted as a failure of user code', async () => {
      const blocked = new CustomerIOError('blocked by policy');
      const policy: CustomerIOInterceptor = {
        intercept<T>(): Promise<T> {
          throw blocked;
        },
      };
      const client = await start({ interceptors: [policy] });

      const direct = await rejectionOf(client.direct.track('u-1', 'direct'));
      const queued = client.track('u-1', 'queued');
      const refused = rejectionOf(queued.delivered);
      await client.flush();

      expect(direct).toBe(blocked);
      expect(String(await refused)).toMatch(/blocked by policy/);
      expect(ctx.sandbox.requests).toHaveLength(0);
      expect(client.stats).toMatchObject({ failed: 1, interceptorErrors: 0 });
      expect(linesMatching(/interceptor/)).toEqual([]);
    });
  });
});
