/**
 * CustomerIOHealthIndicator through a real terminus `/health` endpoint of a real Nest HTTP app, the sandbox scripted
 * to fail: up → degraded (circuit open, half-open, backlog, fill) → down (circuit open too long, backlog too old,
 * store unreachable) → up again.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, Inject, type DynamicModule } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { CustomerIOModule, type CustomerIOModuleOptions } from '../../lib/index.js';
import { CustomerIOHealthIndicator, type CustomerIOHealthThresholds } from '../../lib/health/index.js';
import type { CustomerIOQueueStore } from '../../lib/interfaces/queue-store.interface.js';
import { RedisQueueStore } from '../../lib/stores/redis/redis-queue.store.js';
import { CustomerIOSandbox } from '../../lib/testing/index.js';
import { describeNeeding } from '../support/describe-needing.js';
import { deleteKeys, uniquePrefix, useRedisForFile } from '../support/redis-server.js';
import { type StallingProxy, startStallingProxy } from '../support/tcp-proxy.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The thresholds the next `/health` request applies (each test sets its own). */
let thresholds: CustomerIOHealthThresholds = {};

@Controller()
class HealthController {
  constructor(
    @Inject(HealthCheckService) private readonly health: HealthCheckService,
    @Inject(CustomerIOHealthIndicator) private readonly customerio: CustomerIOHealthIndicator,
  ) {}

  @Get('health')
  @HealthCheck()
  check() {
    return this.health.check([() => this.customerio.isHealthy('customerio', thresholds)]);
  }
}

/** The app: CustomerIOModule, TerminusModule, the indicator and the controller, as an application wires them. */
const healthApp = (options: CustomerIOModuleOptions): DynamicModule => ({
  module: class HealthAppModule {},
  imports: [CustomerIOModule.forRoot(options), TerminusModule],
  controllers: [HealthController],
  providers: [CustomerIOHealthIndicator],
});

interface HealthAnswer {
  http: number;
  status: string;
  customerio: { status: string; reasons?: string[]; [detail: string]: unknown };
  text: string;
}

describe('CustomerIOHealthIndicator on a terminus /health endpoint', () => {
  let sandbox: CustomerIOSandbox;
  const apps: TestApp[] = [];
  const cleanup: (() => Promise<unknown> | unknown)[] = [];

  beforeAll(async () => {
    sandbox = await CustomerIOSandbox.start();
  });
  afterEach(async () => {
    sandbox.clearFaults();
    await Promise.all(apps.splice(0).map((app) => app.close()));
    for (const step of cleanup.splice(0).reverse()) await step();
    sandbox.reset();
    thresholds = {};
  });
  afterAll(() => sandbox.close());

  async function boot(options: Partial<CustomerIOModuleOptions> = {}, store?: CustomerIOQueueStore): Promise<TestApp> {
    const app = await startTestApp({
      sandbox,
      http: true,
      flushWhenAsked: true,
      module: healthApp,
      options: {
        ...options,
        retry: { maxAttempts: 1, baseDelayMs: 2, maxDelayMs: 5, ...(options.retry || {}) },
        queue: { shutdownTimeoutMs: 500, ...options.queue, ...(store && { store }) },
      },
    });
    apps.push(app);
    return app;
  }

  async function health(app: TestApp): Promise<HealthAnswer> {
    const response = await app.request('/health');
    const text = await response.text();
    const body = JSON.parse(text) as { status: string; details: Record<string, HealthAnswer['customerio']> };
    return { http: response.status, status: body.status, customerio: body.details.customerio, text };
  }

  it('is up with the queue gauges, the circuit and the store kind, and never shows the API key', async () => {
    const app = await boot();
    app.client.track('p1', 'signed_up');
    const answer = await health(app);
    expect(answer).toMatchObject({ http: 200, status: 'ok' });
    expect(answer.customerio).toMatchObject({
      status: 'up',
      queued: 1,
      inFlight: 0,
      circuit: 'closed',
      store: 'memory',
    });
    expect(answer.customerio.queuedBytes).toBeGreaterThan(0);
    expect(typeof answer.customerio.storeResponseMs).toBe('number');
    expect(answer.customerio.reasons).toBeUndefined();
    expect(answer.text).not.toContain(sandbox.moduleOptions().apiKey);
  });

  it('turns degraded when the circuit opens, down when it stays open, degraded half-open, and up once it closes', async () => {
    const app = await boot({ retry: { circuitBreaker: { threshold: 2, halfOpenAfterMs: 200 } } });
    sandbox.respondWith(503);
    for (const person of ['p1', 'p2']) {
      app.client.track(person, 'failing');
      await app.client.flush();
    }
    thresholds = { downCircuitOpenMs: 400 };
    let answer = await health(app);
    expect(answer).toMatchObject({ http: 200, status: 'degraded' });
    expect(answer.customerio).toMatchObject({ status: 'degraded', circuit: 'open', queued: 2 });
    expect(answer.customerio.reasons).toEqual([expect.stringMatching(/^circuit open for \d+ ms$/)]);
    expect(answer.customerio.lastError).toMatch(/503/);
    expect(answer.text).not.toContain(sandbox.moduleOptions().apiKey);

    await sleep(450);
    answer = await health(app);
    expect(answer).toMatchObject({ http: 503, status: 'error' });
    expect(answer.customerio).toMatchObject({ status: 'down', circuit: 'open' });
    expect(answer.customerio.circuitOpenMs).toBeGreaterThanOrEqual(400);

    // Customer.io answers again, slowly: the probe is out, the circuit half-open.
    sandbox.clearFaults();
    sandbox.delay(400, { times: 1 });
    const probe = app.client.flush();
    await sandbox.waitFor(() => sandbox.pendingRequests > 0);
    thresholds = { downCircuitOpenMs: 60_000 };
    answer = await health(app);
    expect(answer.customerio).toMatchObject({ status: 'degraded', circuit: 'half-open' });
    thresholds = { downCircuitOpenMs: 400 };
    expect((await health(app)).customerio).toMatchObject({ status: 'down', circuit: 'half-open' });

    await probe;
    await app.client.flush();
    answer = await health(app);
    expect(answer).toMatchObject({ http: 200, status: 'ok' });
    expect(answer.customerio).toMatchObject({ status: 'up', circuit: 'closed', queued: 0, oldestQueuedAgeMs: 0 });
    expect(answer.customerio.circuitOpenMs).toBeUndefined();
    expect(sandbox.events.map((event) => event.name)).toEqual(['failing', 'failing']);
  });

  it('turns degraded, then down, as the backlog ages, and up once it is delivered', async () => {
    const app = await boot();
    thresholds = { degradedBacklogAgeMs: 150, downBacklogAgeMs: 400 };
    app.client.track('p1', 'waiting');
    expect((await health(app)).customerio.status).toBe('up');
    await sleep(200);
    let answer = await health(app);
    expect(answer).toMatchObject({ http: 200, status: 'degraded' });
    expect(answer.customerio.reasons).toEqual([expect.stringMatching(/^oldest operation queued \d+ ms ago$/)]);
    await sleep(250);
    answer = await health(app);
    expect(answer).toMatchObject({ http: 503, customerio: { status: 'down' } });
    expect(answer.customerio.oldestQueuedAgeMs).toBeGreaterThanOrEqual(400);
    await app.client.flush();
    expect(await health(app)).toMatchObject({ http: 200, customerio: { status: 'up', oldestQueuedAgeMs: 0 } });
  });

  it('turns degraded when the queue passes its fill ratio', async () => {
    const app = await boot({ queue: { maxQueueSize: 10 } });
    thresholds = { degradedFillRatio: 0.5 };
    for (let i = 0; i < 4; i++) app.client.track(`p${i}`, 'filling');
    expect((await health(app)).customerio.status).toBe('up');
    for (let i = 4; i < 6; i++) app.client.track(`p${i}`, 'filling');
    const answer = await health(app);
    expect(answer).toMatchObject({ http: 200, status: 'degraded', customerio: { status: 'degraded', queued: 6 } });
    expect(answer.customerio.reasons).toEqual(['queue 60% full']);
    await app.client.flush();
    expect((await health(app)).customerio.status).toBe('up');
  });

  describeNeeding('redis-server')('with the Redis store behind a TCP proxy', () => {
    const redis = useRedisForFile();
    let proxy: StallingProxy;

    it('turns degraded when the store is slow, down when it does not answer, and up when it answers again', async () => {
      proxy = await startStallingProxy(Number(new URL(redis.server.url).port || 6379));
      const prefix = uniquePrefix('health');
      const store = new RedisQueueStore({ redis: `redis://127.0.0.1:${proxy.port}`, prefix });
      cleanup.push(
        () => proxy.close(),
        () => deleteKeys(redis.admin, prefix),
        () => store.close(),
        () => proxy.resume(),
      );
      await store.ready();
      const app = await boot({}, store);
      thresholds = { degradedStoreMs: 150, storeTimeoutMs: 500 };
      expect((await health(app)).customerio).toMatchObject({ status: 'up', store: 'redis' });

      proxy.stall();
      setTimeout(() => proxy.resume(), 250);
      let answer = await health(app);
      expect(answer).toMatchObject({ http: 200, status: 'degraded', customerio: { status: 'degraded' } });
      expect(answer.customerio.storeResponseMs).toBeGreaterThanOrEqual(150);
      expect(answer.customerio.reasons).toEqual([expect.stringMatching(/^store answered in \d+ ms$/)]);

      proxy.stall();
      answer = await health(app);
      expect(answer).toMatchObject({ http: 503, status: 'error', customerio: { status: 'down', store: 'redis' } });
      expect(answer.customerio.reasons).toEqual(['store did not answer within 500 ms']);
      expect(answer.customerio.storeResponseMs).toBeUndefined();

      proxy.resume();
      await sleep(50);
      expect((await health(app)).customerio).toMatchObject({ status: 'up' });
    });
  });
});
