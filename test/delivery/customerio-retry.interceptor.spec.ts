import { performance } from 'node:perf_hooks';
import { setImmediate as nextLoopTurn } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import {
  CustomerIOCircuitOpenError,
  CustomerIOError,
  CustomerIOHttpError,
  CustomerIONetworkError,
  CustomerIOTimeoutError,
  type CustomerIOInterceptor,
  type CustomerIOModuleOptions,
  type CustomerIOOutboundRequest,
} from '../../lib/index.js';
import { CustomerIORetryInterceptor } from '../../lib/transport/customerio-retry.interceptor.js';
import { type CustomerIORetryOptions } from '../../lib/interfaces/delivery-options.interface.js';
import { CustomerIOSandbox } from '../../lib/testing/index.js';
import { CustomerIOSdkAdapter } from '../../lib/transport/customerio-sdk.adapter.js';
import { rejectionOf, startTestApp, suiteApi, suiteWire, type TestApp } from '../support/test-app.js';

// Real time, whatever the fake clock says (captured before any test installs one).
const realNow = performance.now.bind(performance);

/** An interceptor that records what it sees of each call: the context, and the outcome the caller gets. */
class RecordingInterceptor implements CustomerIOInterceptor {
  readonly calls: { context: CustomerIOOutboundRequest; result?: unknown; error?: unknown }[] = [];

  constructor(
    private readonly name = 'recorder',
    private readonly log: string[] = [],
  ) {}

  async intercept<T>(context: CustomerIOOutboundRequest, next: () => Promise<T>): Promise<T> {
    const call: (typeof this.calls)[number] = { context };
    this.calls.push(call);
    this.log.push(`${this.name}:before`);
    try {
      call.result = await next();
      return call.result as T;
    } catch (error) {
      call.error = error;
      throw error;
    } finally {
      this.log.push(`${this.name}:after`);
    }
  }
}

describe(`CustomerIORetryInterceptor over real sockets, ${suiteApi()} API`, () => {
  let sandbox: CustomerIOSandbox;
  const apps: TestApp[] = [];

  beforeAll(async () => {
    sandbox = await CustomerIOSandbox.start();
  });
  afterEach(async () => {
    jest.useRealTimers();
    jest.restoreAllMocks();
    await Promise.all(apps.splice(0).map(({ app }) => app.close()));
    sandbox.reset();
  });
  afterAll(() => sandbox.close());

  /**
   * A fresh app (so a fresh interceptor: no breaker or pause state carried over) sending to the sandbox.
   * Retries are fast unless a test says otherwise, and the circuit breaker is off unless a test turns it on.
   */
  async function boot(
    retry: CustomerIORetryOptions | false = {},
    overrides: Partial<CustomerIOModuleOptions> = {},
  ): Promise<TestApp> {
    const options =
      retry === false ? false : { baseDelayMs: 2, maxDelayMs: 10, circuitBreaker: false as const, ...retry };
    const subject = await startTestApp({ sandbox, options: { retry: options, ...overrides } });
    apps.push(subject);
    return subject;
  }

  const statuses = (): number[] => sandbox.requests.map((request) => request.status);
  /** Time between consecutive requests, as the sandbox saw them. */
  const gaps = (): number[] =>
    sandbox.requests.slice(1).map((request, i) => request.receivedAt - sandbox.requests[i].receivedAt);
  /** The request of `personId`'s direct `track` (its own path on both APIs, apart from identify's). */
  const eventRequestOf = (personId: string) =>
    sandbox.requests.find((request) => request.path === suiteWire.eventPath(personId));

  /** Fake timers and Date; real I/O (sockets, the sandbox) still runs, with the clock standing still. */
  function useFakeClock(now?: number): void {
    jest.useFakeTimers({
      doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'],
      ...(now !== undefined && { now }),
    });
  }

  /** Lets real I/O run, without moving the fake clock, until `done()`; fails after 3 s of real time. */
  async function ioUntil(done: () => boolean, realMs = 3_000): Promise<void> {
    const deadline = realNow() + realMs;
    while (!done()) {
      if (realNow() > deadline) {
        throw new Error(`ioUntil: not met within ${realMs} ms: ${String(done)} (${sandbox.requests.length} requests)`);
      }
      await nextLoopTurn();
    }
  }

  /**
   * Settles `call` under the fake clock: I/O runs with the clock stopped, and the clock jumps to the next
   * timer only once nothing is in flight and the interceptor waits (a timer is pending). So the gaps between
   * `receivedAt` of the requests are exactly the waits the interceptor chose.
   */
  async function drive<T>(call: Promise<T>): Promise<PromiseSettledResult<T>> {
    const state: { outcome?: PromiseSettledResult<T> } = {};
    call.then(
      (value) => (state.outcome = { status: 'fulfilled', value }),
      (reason: unknown) => (state.outcome = { status: 'rejected', reason }),
    );
    for (;;) {
      await ioUntil(() => state.outcome !== undefined || jest.getTimerCount() > 0);
      if (state.outcome) return state.outcome;
      await jest.advanceTimersToNextTimerAsync();
    }
  }

  /** A promise with a flag telling whether it has settled. */
  function tracked<T>(promise: Promise<T>): { promise: Promise<T>; settled: () => boolean } {
    let settled = false;
    const settle = () => void (settled = true);
    promise.then(settle, settle);
    return { promise, settled: () => settled };
  }

  describe('what is retried', () => {
    it('retries a 503 twice, then succeeds: 3 requests, the person and the event applied once', async () => {
      const subject = await boot();
      sandbox.respondWith(503, { times: 2 });
      await subject.direct.identify('u-1', { plan: 'pro' });
      expect(statuses()).toEqual([503, 503, 200]);
      expect(sandbox.people.get('u-1')?.attributes).toEqual({ plan: 'pro' });

      sandbox.reset();
      sandbox.respondWith(503, { times: 2 });
      await subject.direct.track('u-1', 'signed_up', { plan: 'pro' });
      expect(statuses()).toEqual([503, 503, 200]);
      expect(sandbox.events).toMatchObject([{ personId: 'u-1', name: 'signed_up', data: { plan: 'pro' } }]);
    });

    it.each([400, 403, 404, 413, 422])('never retries a %i: one request, the error is thrown', async (status) => {
      const subject = await boot({ maxAttempts: 5 });
      sandbox.respondWith(status, { times: 1, body: { meta: { error: `no (${status})` } } }); // a retry would succeed
      const error = await rejectionOf(subject.direct.identify('u-1', { plan: 'pro' }));
      expect(error).toBeInstanceOf(CustomerIOHttpError);
      expect(error).toMatchObject({ status, retryable: false, errors: [`no (${status})`] });
      expect(sandbox.requests).toHaveLength(1);
      expect(sandbox.people.size).toBe(0);
    });

    it('never retries a 401 (wrong API key): one request, the error is thrown', async () => {
      const subject = await boot({ maxAttempts: 5 }, suiteWire.keyOption('not-the-sandbox-key'));
      const error = await rejectionOf(subject.direct.track('u-1', 'signed_up', {}));
      expect(error).toBeInstanceOf(CustomerIOHttpError);
      expect(error).toMatchObject({ status: 401, retryable: false });
      expect(sandbox.requests).toHaveLength(1);
      expect(sandbox.events).toHaveLength(0);
    });

    type Fault = () => unknown;
    it.each<[string, Fault, abstract new (...args: never[]) => CustomerIOError]>([
      ['a 408', () => sandbox.respondWith(408, { times: 1 }), CustomerIOHttpError],
      [
        'a 425 (Too Early: not processed, may be accepted later)',
        () => sandbox.respondWith(425, { times: 1 }),
        CustomerIOHttpError,
      ],
      ['a 429', () => sandbox.respondWith(429, { times: 1 }), CustomerIOHttpError],
      ['a 500', () => sandbox.respondWith(500, { times: 1 }), CustomerIOHttpError],
      ['a 502', () => sandbox.respondWith(502, { times: 1 }), CustomerIOHttpError],
      ['a 504', () => sandbox.respondWith(504, { times: 1 }), CustomerIOHttpError],
      ['a connection reset', () => sandbox.resetConnection({ times: 1 }), CustomerIONetworkError],
      ['a timeout', () => sandbox.hang({ times: 1 }), CustomerIOTimeoutError],
    ])('retries %s, then succeeds', async (_, fault, errorClass) => {
      // What one attempt fails with: a retryable error of the expected class.
      const once = await boot({ maxAttempts: 1 }, { timeout: 150 });
      fault();
      const error = await rejectionOf(once.direct.identify('u-1', { n: 1 }));
      expect(error).toBeInstanceOf(errorClass);
      expect(error).toMatchObject({ retryable: true });
      expect(sandbox.requests).toHaveLength(1);
      expect(sandbox.people.has('u-1')).toBe(false);

      sandbox.reset();
      const subject = await boot({}, { timeout: 150 });
      fault();
      await subject.direct.identify('u-1', { n: 2 });
      expect(sandbox.requests).toHaveLength(2);
      expect(sandbox.requests[1].status).toBe(200);
      expect(sandbox.people.get('u-1')?.attributes).toEqual({ n: 2 });
    });

    it('makes at most maxAttempts attempts, then throws the last error', async () => {
      const subject = await boot({ maxAttempts: 3 });
      sandbox.respondWith(503, { times: 2, body: { meta: { error: 'earlier attempt' } } });
      sandbox.respondWith(503, { body: { meta: { error: 'last attempt' } } });
      const error = await rejectionOf(subject.direct.identify('u-1', {}));
      expect(error).toBeInstanceOf(CustomerIOHttpError);
      expect(error).toMatchObject({ status: 503, retryable: true, errors: ['last attempt'] });
      expect(statuses()).toEqual([503, 503, 503]);
      expect(sandbox.people.size).toBe(0);
    });

    it('makes 4 attempts by default', async () => {
      const subject = await boot({});
      sandbox.respondWith(503);
      await expect(subject.direct.identify('u-1', {})).rejects.toThrow(CustomerIOHttpError);
      expect(sandbox.requests).toHaveLength(4);
    });

    it('with retry: false, sends once even on a retryable error', async () => {
      const subject = await boot(false);
      sandbox.respondWith(503, { times: 1 }); // a retry would succeed
      const error = await rejectionOf(subject.direct.identify('u-1', {}));
      expect(error).toMatchObject({ status: 503, retryable: true });
      expect(sandbox.requests).toHaveLength(1);
      expect(subject.app.get(CustomerIORetryInterceptor).circuitOpen).toBe(false);
    });
  });

  describe('backoff', () => {
    it('waits a full-jitter exponential backoff, capped by maxDelayMs: floor(random * min(maxDelay, base * 2^n))', async () => {
      const subject = await boot({ baseDelayMs: 8, maxDelayMs: 50, maxAttempts: 6 });
      useFakeClock();
      for (const [random, expected] of [
        [0.5, [4, 8, 16, 25, 25]],
        [0.999, [7, 15, 31, 49, 49]],
      ] as const) {
        sandbox.reset();
        sandbox.respondWith(503, { times: 5 });
        jest.spyOn(Math, 'random').mockReturnValue(random);
        const outcome = await drive(subject.direct.identify('u-1', {}));
        expect(outcome.status).toBe('fulfilled');
        expect(gaps()).toEqual(expected);
      }
    });

    it('keeps every wait within [0, min(maxDelayMs, baseDelayMs * 2^n)]', async () => {
      const subject = await boot({ baseDelayMs: 10, maxDelayMs: 40, maxAttempts: 8 });
      useFakeClock();
      const caps = [10, 20, 40, 40, 40, 40, 40];
      for (let run = 0; run < 10; run++) {
        sandbox.reset();
        sandbox.respondWith(503, { times: 7 });
        const outcome = await drive(subject.direct.identify('u-1', {}));
        expect(outcome.status).toBe('fulfilled');
        const waits = gaps();
        expect(waits).toHaveLength(7);
        const outOfBounds = waits.flatMap((wait, n) =>
          wait < 0 || wait > caps[n] ? [{ retry: n + 1, wait, cap: caps[n] }] : [],
        );
        expect(outOfBounds).toEqual([]);
      }
    });

    it('keeps every wait within maxDelayMs in real time too (plus slack for the round trip)', async () => {
      const subject = await boot({ baseDelayMs: 5, maxDelayMs: 30, maxAttempts: 7 });
      sandbox.respondWith(503, { times: 6 });
      const started = realNow();
      await subject.direct.identify('u-1', {});
      expect(sandbox.requests).toHaveLength(7);
      expect(Math.max(...gaps())).toBeLessThanOrEqual(30 + 100);
      expect(realNow() - started).toBeLessThan(6 * 30 + 500);
    });

    it('jitters: runs wait different times, spread over the whole [0, base) range for the first retry', async () => {
      const subject = await boot({ baseDelayMs: 100, maxDelayMs: 1_000, maxAttempts: 3 });
      useFakeClock();
      const first: number[] = [];
      const second: number[] = [];
      for (let run = 0; run < 40; run++) {
        sandbox.reset();
        sandbox.respondWith(503, { times: 2 });
        const outcome = await drive(subject.direct.identify('u-1', {}));
        expect(outcome.status).toBe('fulfilled');
        const [a, b] = gaps();
        first.push(a);
        second.push(b);
      }
      // Each of these fails by chance with a probability under 1e-11.
      expect(new Set(first).size).toBeGreaterThan(1);
      expect(new Set(second).size).toBeGreaterThan(1);
      expect(Math.min(...first)).toBeLessThan(50); // full jitter, not [base/2, base)
      expect(Math.max(...first)).toBeGreaterThanOrEqual(50);
      expect(Math.max(...first)).toBeLessThan(100);
      expect(Math.max(...second)).toBeLessThan(200);
    });
  });

  describe('Retry-After', () => {
    it('waits the seconds of a Retry-After before retrying', async () => {
      const subject = await boot({ baseDelayMs: 2 });
      useFakeClock();
      sandbox.respondWith(503, { retryAfter: 1, times: 1 });
      const outcome = await drive(subject.direct.identify('u-1', {}));
      expect(outcome.status).toBe('fulfilled');
      expect(statuses()).toEqual([503, 200]);
      expect(gaps()).toEqual([1_000]);
    });

    it('waits until the HTTP date of a Retry-After', async () => {
      const now = Date.UTC(2031, 4, 6, 7, 8, 9); // a whole second: HTTP dates have no milliseconds
      const subject = await boot({ baseDelayMs: 2 });
      useFakeClock(now);
      sandbox.respondWith(503, { retryAfter: new Date(now + 2_000).toUTCString(), times: 1 });
      const outcome = await drive(subject.direct.identify('u-1', {}));
      expect(outcome.status).toBe('fulfilled');
      expect(sandbox.requests[0].receivedAt).toBe(now);
      expect(gaps()).toEqual([2_000]);
    });

    it.each(['1e3', '0x10', '5, 10', '1.5', '-1', 'Tue, 31 Feb 2026 12:00:00 GMT'])(
      'waits the backoff, not the header, when a 429 carries a Retry-After that is neither delta-seconds nor an HTTP date: %j',
      async (retryAfter) => {
        const subject = await boot({ baseDelayMs: 100, maxDelayMs: 100 });
        useFakeClock();
        jest.spyOn(Math, 'random').mockReturnValue(0.5); // a backoff of 50 ms
        sandbox.respondWith(429, { retryAfter, times: 1 });
        const outcome = await drive(subject.direct.identify('u-1', {}));
        expect(outcome.status).toBe('fulfilled');
        expect(statuses()).toEqual([429, 200]);
        expect(gaps()).toEqual([50]);
      },
    );

    it('caps a Retry-After at maxRetryAfterMs', async () => {
      const subject = await boot({ maxRetryAfterMs: 50 });
      useFakeClock();
      sandbox.respondWith(503, { retryAfter: 3_600, times: 1 });
      const outcome = await drive(subject.direct.identify('u-1', {}));
      expect(outcome.status).toBe('fulfilled');
      expect(gaps()).toEqual([50]);
    });

    it('reports each retry to context.onRetry with its error and the wait it then makes', async () => {
      const subject = await boot({ baseDelayMs: 20, maxDelayMs: 100 });
      const interceptor = subject.app.get(CustomerIORetryInterceptor);
      const sdk = subject.app.get(CustomerIOSdkAdapter);
      useFakeClock();
      sandbox.respondWith(503, { times: 1, retryAfter: 1, body: { meta: { error: 'first' } } });
      sandbox.respondWith(502, { times: 1, body: { meta: { error: 'second' } } });
      const retries: [CustomerIOError, number][] = [];
      const context: CustomerIOOutboundRequest = {
        kind: 'direct',
        operation: 'identify',
        size: 1,
        onRetry: (error, delayMs) => void retries.push([error, delayMs]),
      };
      const outcome = await drive(
        interceptor.intercept(context, () => sdk.track((client) => client.identify('u-1', { a: 1 }))),
      );
      expect(outcome.status).toBe('fulfilled');
      expect(statuses()).toEqual([503, 502, 200]);
      expect(retries.map(([error]) => [error.constructor, error.status, error.errors])).toEqual([
        [CustomerIOHttpError, 503, ['first']],
        [CustomerIOHttpError, 502, ['second']],
      ]);
      expect(retries[0][1]).toBe(1_000);
      expect(retries.map(([, delayMs]) => delayMs)).toEqual(gaps());
    });
  });

  describe('time budget', () => {
    it('starts no retry when the Retry-After is past budgetMs: one request, the error at once', async () => {
      const subject = await boot({ budgetMs: 100 });
      sandbox.respondWith(503, { retryAfter: 5, times: 1 }); // a retry would succeed
      const started = realNow();
      const error = await rejectionOf(subject.direct.identify('u-1', {}));
      expect(realNow() - started).toBeLessThan(1_000);
      expect(error).toBeInstanceOf(CustomerIOHttpError);
      expect(error).toMatchObject({ status: 503, retryAfterMs: 5_000 });
      expect(sandbox.requests).toHaveLength(1);
    });

    it.each([
      [1_500, 2],
      [2_500, 3],
    ])(
      'counts the time already spent: with budgetMs %i and Retry-After 1 s, %i requests',
      async (budgetMs, requests) => {
        const subject = await boot({ budgetMs, maxAttempts: 10 });
        useFakeClock();
        sandbox.respondWith(503, { retryAfter: 1 });
        const outcome = await drive(subject.direct.identify('u-1', {}));
        expect(outcome).toMatchObject({ status: 'rejected', reason: expect.any(CustomerIOHttpError) });
        expect(sandbox.requests).toHaveLength(requests);
        expect(gaps()).toEqual(Array(requests - 1).fill(1_000));
      },
    );
  });

  describe('429 pauses every request through the interceptor', () => {
    it('holds a second, independent call until the Retry-After of a 429 has passed', async () => {
      const subject = await boot();
      useFakeClock();
      sandbox.respondWith(429, { retryAfter: 1, times: 1, path: suiteWire.identifyPath('first') });
      const first = tracked(subject.direct.identify('first', {}));
      await ioUntil(() => jest.getTimerCount() === 1 || first.settled()); // the 429 came back: `first` waits
      expect(statuses()).toEqual([429]);
      const t0 = sandbox.requests[0].receivedAt;

      await jest.advanceTimersByTimeAsync(300);
      const second = tracked(subject.direct.track('second', 'waited'));
      await ioUntil(() => jest.getTimerCount() === 2 || second.settled());
      expect(sandbox.requests).toHaveLength(1); // `second` was not sent: it waits out the pause

      await jest.advanceTimersByTimeAsync(699);
      await ioUntil(() => jest.getTimerCount() === 2 || second.settled());
      expect(sandbox.requests).toHaveLength(1);

      await jest.advanceTimersByTimeAsync(1);
      await ioUntil(() => first.settled() && second.settled());
      await Promise.all([first.promise, second.promise]);
      expect(eventRequestOf('second')!.receivedAt - t0).toBe(1_000);
      expect(sandbox.people.has('first')).toBe(true);
      expect(sandbox.events).toMatchObject([{ personId: 'second', name: 'waited' }]);
    });

    it('holds a call for the backoff of a 429 without Retry-After', async () => {
      const subject = await boot({ baseDelayMs: 100, maxDelayMs: 100 });
      useFakeClock();
      jest.spyOn(Math, 'random').mockReturnValue(0.5); // a backoff of 50 ms
      sandbox.respondWith(429, { times: 1, path: suiteWire.identifyPath('first') });
      const first = tracked(subject.direct.identify('first', {}));
      await ioUntil(() => jest.getTimerCount() === 1 || first.settled());
      const t0 = sandbox.requests[0].receivedAt;
      await jest.advanceTimersByTimeAsync(10);
      const second = tracked(subject.direct.track('second', 'waited'));
      await ioUntil(() => jest.getTimerCount() === 2 || second.settled());
      expect(sandbox.requests).toHaveLength(1);
      await jest.advanceTimersByTimeAsync(40);
      await ioUntil(() => first.settled() && second.settled());
      await Promise.all([first.promise, second.promise]);
      expect(eventRequestOf('second')!.receivedAt - t0).toBe(50);
    });

    it('does not pause other calls on a 503 with Retry-After (only on a 429)', async () => {
      const subject = await boot();
      useFakeClock();
      sandbox.respondWith(503, { retryAfter: 1, times: 1, path: suiteWire.identifyPath('first') });
      const first = tracked(subject.direct.identify('first', {}));
      await ioUntil(() => jest.getTimerCount() === 1 || first.settled());
      const t0 = sandbox.requests[0].receivedAt;
      await jest.advanceTimersByTimeAsync(300);
      await subject.direct.track('second', 'waited'); // no timer to move: it goes at once
      expect(eventRequestOf('second')!.receivedAt - t0).toBe(300);
      const outcome = await drive(first.promise);
      expect(outcome.status).toBe('fulfilled');
    });
  });

  describe('circuit breaker', () => {
    const breaker = { maxAttempts: 1, circuitBreaker: { threshold: 3, halfOpenAfterMs: 200 } } as const;

    /** Three failing calls (503) that open the breaker; each reaches the sandbox. */
    async function openBreaker(subject: TestApp): Promise<void> {
      sandbox.respondWith(503);
      for (let i = 0; i < 3; i++) {
        const error = await rejectionOf(subject.direct.identify('u-1', {}));
        expect(error).toBeInstanceOf(CustomerIOHttpError);
        expect(error).not.toBeInstanceOf(CustomerIOCircuitOpenError);
      }
      expect(sandbox.requests).toHaveLength(3);
    }

    it('opens after threshold consecutive failures, fails at once without a request, then closes on a good probe', async () => {
      const subject = await boot(breaker);
      const interceptor = subject.app.get(CustomerIORetryInterceptor);
      useFakeClock();
      await openBreaker(subject);
      expect(interceptor.circuitOpen).toBe(true);

      const error = await rejectionOf(subject.direct.identify('u-1', {}));
      expect(error).toBeInstanceOf(CustomerIOCircuitOpenError);
      expect(error).toMatchObject({ retryable: true });
      expect(sandbox.requests).toHaveLength(3); // never reached the sandbox

      jest.advanceTimersByTime(199);
      await expect(subject.direct.track('u-1', 'still_open', {})).rejects.toThrow(CustomerIOCircuitOpenError);
      expect(sandbox.requests).toHaveLength(3);

      jest.advanceTimersByTime(1);
      sandbox.clearFaults(); // Customer.io has recovered
      await subject.direct.identify('u-1', { probe: true });
      expect(sandbox.requests).toHaveLength(4);
      expect(interceptor.circuitOpen).toBe(false);
      await subject.direct.identify('u-2', {});
      await subject.direct.track('u-2', 'after_recovery', {});
      expect(statuses()).toEqual([503, 503, 503, 200, 200, 200]);
      expect(sandbox.people.get('u-1')?.attributes).toEqual({ probe: true });
    });

    it('opens again when the probe fails', async () => {
      const subject = await boot(breaker);
      const interceptor = subject.app.get(CustomerIORetryInterceptor);
      useFakeClock();
      await openBreaker(subject);

      jest.advanceTimersByTime(200);
      const probe = await rejectionOf(subject.direct.identify('u-1', {}));
      expect(probe).toBeInstanceOf(CustomerIOHttpError); // the probe's own failure
      expect(sandbox.requests).toHaveLength(4);
      expect(interceptor.circuitOpen).toBe(true);

      await expect(subject.direct.identify('u-1', {})).rejects.toThrow(CustomerIOCircuitOpenError);
      expect(sandbox.requests).toHaveLength(4);

      jest.advanceTimersByTime(200);
      sandbox.clearFaults();
      await subject.direct.identify('u-1', {});
      expect(sandbox.requests).toHaveLength(5);
      expect(interceptor.circuitOpen).toBe(false);
    });

    it('lets one probe through at a time: calls made while it is out wait for its outcome', async () => {
      const subject = await boot(breaker);
      useFakeClock();
      await openBreaker(subject);
      jest.advanceTimersByTime(200);
      sandbox.clearFaults();
      sandbox.delay(150, { times: 1 }); // a slow probe (real time)

      const probe = tracked(subject.direct.identify('probe', {}));
      await ioUntil(() => sandbox.requests.length === 4);
      const other = tracked(subject.direct.track('other', 'held'));
      const realStart = realNow();
      await ioUntil(() => realNow() - realStart > 40 || other.settled());
      expect(sandbox.requests).toHaveLength(4); // `other` is held while the probe is out
      expect(probe.settled()).toBe(false);

      await ioUntil(() => probe.settled() && other.settled());
      await Promise.all([probe.promise, other.promise]);
      expect(sandbox.requests.slice(3).map((request) => request.path)).toEqual([
        suiteWire.identifyPath('probe'),
        suiteWire.eventPath('other'),
      ]);
    });

    it('counts only consecutive failures: a success in between starts the count again', async () => {
      const subject = await boot(breaker);
      for (const fails of [2, 2]) {
        sandbox.respondWith(503, { times: fails });
        for (let i = 0; i < fails; i++)
          await expect(subject.direct.identify('u-1', {})).rejects.toThrow(CustomerIOHttpError);
        await subject.direct.identify('u-1', {});
      }
      sandbox.respondWith(503, { times: 2 });
      for (let i = 0; i < 2; i++) await expect(subject.direct.identify('u-1', {})).rejects.toThrow(CustomerIOHttpError);
      expect(subject.app.get(CustomerIORetryInterceptor).circuitOpen).toBe(false);
      expect(statuses()).toEqual([503, 503, 200, 503, 503, 200, 503, 503]);
    });

    it('does not count 4xx answers as failures', async () => {
      const subject = await boot(breaker);
      sandbox.respondWith(400, { times: 5 });
      for (let i = 0; i < 5; i++) await expect(subject.direct.identify('u-1', {})).rejects.toThrow(CustomerIOHttpError);
      expect(subject.app.get(CustomerIORetryInterceptor).circuitOpen).toBe(false);
      await subject.direct.identify('u-1', {});
      expect(sandbox.requests).toHaveLength(6);
    });

    it('counts every attempt, retries included, and stops retrying once it opens', async () => {
      const subject = await boot({ maxAttempts: 10, circuitBreaker: { threshold: 3, halfOpenAfterMs: 60_000 } });
      sandbox.respondWith(503);
      const error = await rejectionOf(subject.direct.identify('u-1', {}));
      expect(error).toBeInstanceOf(CustomerIOCircuitOpenError);
      expect(sandbox.requests).toHaveLength(3);
    });
  });

  describe('interceptors from the `interceptors` option', () => {
    it('run outside the retry interceptor: one call per logical request, with its final result', async () => {
      const recorder = new RecordingInterceptor();
      const subject = await boot({}, { interceptors: [recorder] });
      sandbox.respondWith(503, { times: 2 });
      await subject.direct.identify('u-1', { plan: 'pro' });
      expect(sandbox.requests).toHaveLength(3);
      expect(recorder.calls).toHaveLength(1);
      expect(recorder.calls[0]).toMatchObject({
        context: { kind: 'direct', operation: 'identify', size: 1 },
        result: {},
      });
      expect(recorder.calls[0].error).toBeUndefined();
    });

    it('see the final error, the very one the caller gets, after every attempt', async () => {
      const recorder = new RecordingInterceptor();
      const subject = await boot({ maxAttempts: 3 }, { interceptors: [recorder] });
      sandbox.respondWith(503);
      const error = await rejectionOf(subject.direct.track('u-1', 'signed_up', {}));
      expect(sandbox.requests).toHaveLength(3);
      expect(recorder.calls).toHaveLength(1);
      expect(recorder.calls[0].context).toMatchObject({ kind: 'direct', operation: 'track' });
      expect(recorder.calls[0].error).toBe(error);
      expect(error).toMatchObject({ status: 503 });
    });

    it('run in the order given, each wrapping the next, and are told which method was called', async () => {
      const log: string[] = [];
      const outer = new RecordingInterceptor('outer', log);
      const inner = new RecordingInterceptor('inner', log);
      const subject = await boot({}, { interceptors: [outer, inner] });
      await subject.direct.addDevice('u-1', 'tok-1', 'ios');
      await subject.direct.trackPageView('u-1', '/pricing');
      const oneCall = ['outer:before', 'inner:before', 'inner:after', 'outer:after'];
      expect(log).toEqual([...oneCall, ...oneCall]);
      expect(inner.calls.map((call) => call.context.operation)).toEqual(['addDevice', 'trackPageView']);
      expect(outer.calls.map((call) => call.context.kind)).toEqual(['direct', 'direct']);
    });

    it('can fail a call without sending it; the retry interceptor is not involved', async () => {
      const refused = new CustomerIOError('refused by policy', { retryable: true });
      const gate: CustomerIOInterceptor = {
        intercept: () => Promise.reject(refused),
      };
      const subject = await boot({}, { interceptors: [gate] });
      await expect(subject.direct.identify('u-1', {})).rejects.toBe(refused);
      expect(sandbox.requests).toHaveLength(0);
    });

    it('with retry: false, are the whole chain, and may call next() more than once', async () => {
      const attempts: number[] = [];
      const retryOnce: CustomerIOInterceptor = {
        async intercept<T>(_context: CustomerIOOutboundRequest, next: () => Promise<T>): Promise<T> {
          attempts.push(1);
          try {
            return await next();
          } catch {
            attempts.push(2);
            return next();
          }
        },
      };
      const subject = await boot(false, { interceptors: [retryOnce] });
      sandbox.respondWith(503, { times: 1 });
      await subject.direct.identify('u-1', {});
      expect(attempts).toEqual([1, 2]);
      expect(statuses()).toEqual([503, 200]);
    });
  });

  describe('context.signal (the queue aborting at its shutdown deadline)', () => {
    it('stops waiting for a retry when the signal aborts, and throws the last error', async () => {
      const subject = await boot({ baseDelayMs: 1_000, maxDelayMs: 1_000 });
      const interceptor = subject.app.get(CustomerIORetryInterceptor);
      const sdk = subject.app.get(CustomerIOSdkAdapter);
      useFakeClock();
      jest.spyOn(Math, 'random').mockReturnValue(0.5);
      sandbox.respondWith(503, { times: 1, body: { meta: { error: 'before abort' } } });
      const controller = new AbortController();
      const context: CustomerIOOutboundRequest = {
        kind: 'batch',
        operation: 'batch',
        size: 1,
        signal: controller.signal,
      };
      const call = tracked(
        interceptor.intercept(context, () => sdk.track((client) => client.identify('u-1', {}), controller.signal)),
      );
      await ioUntil(() => jest.getTimerCount() === 1 || call.settled()); // waiting 500 ms before the retry
      controller.abort();
      await ioUntil(call.settled);
      const error = await rejectionOf(call.promise);
      expect(error).toMatchObject({ status: 503, errors: ['before abort'] });
      expect(sandbox.requests).toHaveLength(1);
    });

    it('does not send a request whose signal aborted while it waited out a 429 pause', async () => {
      const subject = await boot();
      const interceptor = subject.app.get(CustomerIORetryInterceptor);
      const sdk = subject.app.get(CustomerIOSdkAdapter);
      useFakeClock();
      sandbox.respondWith(429, { retryAfter: 1, times: 1, path: suiteWire.identifyPath('first') });
      const first = tracked(subject.direct.identify('first', {}));
      await ioUntil(() => jest.getTimerCount() === 1 || first.settled());

      const controller = new AbortController();
      let sent = 0;
      const context: CustomerIOOutboundRequest = {
        kind: 'batch',
        operation: 'batch',
        size: 1,
        signal: controller.signal,
      };
      const held = tracked(
        interceptor.intercept(context, () => {
          sent += 1;
          return sdk.track((client) => client.identify('held', {}), controller.signal);
        }),
      );
      await ioUntil(() => jest.getTimerCount() === 2 || held.settled()); // in the pause
      controller.abort();
      await ioUntil(held.settled);
      const error = await rejectionOf(held.promise);
      expect(error).toBeInstanceOf(CustomerIOError);
      expect(error).toMatchObject({ retryable: true, message: expect.stringMatching(/abandoned/) });
      expect(sent).toBe(0);
      expect(sandbox.requests).toHaveLength(1); // `first`'s 429 alone: `held` was never sent

      expect((await drive(first.promise)).status).toBe('fulfilled');
    });
  });
});
