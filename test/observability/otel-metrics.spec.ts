import { afterEach, describe, expect, it } from '@jest/globals';
import { CustomerIOError } from '../../lib/index.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { countWith, pointWith, registerMeterProvider, sumWith } from './support/otel-sdk.js';

const SYSTEM = { 'messaging.system': 'customerio' };

describe('OpenTelemetry metrics (real metrics SDK, real sandbox)', () => {
  let subject: TestApp | undefined;
  afterEach(() => subject?.close());

  it('counts a scripted run exactly: drops, two 503s retried, then a 207 naming two invalid items', async () => {
    const otel = await registerMeterProvider();
    subject = await startTestApp({
      flushWhenAsked: true,
      quickRetries: true,
      options: { queue: { maxQueueSize: 5, overflow: 'drop-oldest' }, retry: { maxAttempts: 3 } },
    });
    const { client, sandbox } = subject;
    for (let i = 0; i < 7; i++) client.track(`u-${i}`, 'metered', { i });
    await new Promise((resolve) => setTimeout(resolve, 25)); // the oldest operation is 25 ms old, at least

    const before = await otel.collect();
    expect(pointWith(before.get('customerio.queue.operations'), SYSTEM)).toBe(5);
    expect(pointWith<number>(before.get('customerio.queue.bytes'), SYSTEM)).toBe(subject.client.stats.queuedBytes);
    expect(pointWith<number>(before.get('customerio.queue.bytes'), SYSTEM)).toBeGreaterThan(0);
    expect(pointWith(before.get('customerio.queue.in_flight'), SYSTEM)).toBe(0);
    expect(pointWith<number>(before.get('customerio.queue.oldest_age'), SYSTEM)).toBeGreaterThanOrEqual(0.02);
    expect(pointWith(before.get('customerio.circuit.state'), { ...SYSTEM, 'customerio.circuit.state': 'closed' })).toBe(
      1,
    );

    sandbox.respondWith(503, { path: '/api/v2/batch', times: 2 }).respondWith(207, {
      path: '/api/v2/batch',
      times: 1,
      body: {
        errors: [
          { batch_index: 0, reason: 'invalid' },
          { batch_index: 3, reason: 'invalid' },
        ],
      },
    });
    await client.flush();

    const after = await otel.collect();
    const sent = after.get('messaging.client.sent.messages');
    expect(sent?.descriptor.unit).toBe('{message}');
    expect(sumWith(sent, { ...SYSTEM, 'customerio.outcome': 'dropped', 'error.type': 'dropped' })).toBe(2);
    expect(sumWith(sent, { ...SYSTEM, 'customerio.outcome': 'delivered', 'customerio.delivery': 'queue' })).toBe(3);
    expect(sumWith(sent, { ...SYSTEM, 'customerio.outcome': 'invalid', 'error.type': 'invalid' })).toBe(2);
    expect(sumWith(sent, {})).toBe(7);
    expect(sumWith(sent, { 'customerio.outcome': 'delivered', 'error.type': undefined })).toBe(3);

    const retries = after.get('customerio.client.retries');
    expect(sumWith(retries, { ...SYSTEM, 'customerio.operation': 'batch', 'error.type': '503' })).toBe(2);
    expect(sumWith(retries, {})).toBe(2);

    const http = after.get('http.client.request.duration');
    expect(http?.descriptor.unit).toBe('s');
    expect(countWith(http, { ...SYSTEM, 'http.response.status_code': 503, 'error.type': '503' })).toBe(2);
    expect(countWith(http, { ...SYSTEM, 'http.response.status_code': 207, 'error.type': undefined })).toBe(1);
    expect(countWith(http, {})).toBe(3);

    const sends = after.get('messaging.client.operation.duration');
    expect(sends?.descriptor.unit).toBe('s');
    expect(
      countWith(sends, {
        ...SYSTEM,
        'messaging.operation.name': 'send',
        'customerio.operation': 'batch',
        'messaging.batch.message_count': 5,
        'error.type': undefined,
      }),
    ).toBe(1);
    expect(countWith(sends, {})).toBe(1);

    expect(pointWith(after.get('customerio.queue.operations'), SYSTEM)).toBe(0);
    expect(pointWith(after.get('customerio.queue.bytes'), SYSTEM)).toBe(0);
    expect(client.stats).toMatchObject({ dropped: 2, delivered: 3, invalid: 2, retried: 10 });
  });

  it('counts direct calls by outcome, with the error type of a failure, and times each', async () => {
    const otel = await registerMeterProvider();
    subject = await startTestApp();
    const { direct, sandbox } = subject;
    await direct.identify('d-1', { plan: 'pro' });
    sandbox.respondWith(400, { times: 1 });
    await expect(direct.track('d-1', 'refused')).rejects.toBeInstanceOf(CustomerIOError);

    const after = await otel.collect();
    const sent = after.get('messaging.client.sent.messages');
    expect(sumWith(sent, { 'customerio.delivery': 'direct', 'customerio.outcome': 'delivered' })).toBe(1);
    expect(
      sumWith(sent, { 'customerio.delivery': 'direct', 'customerio.outcome': 'invalid', 'error.type': '400' }),
    ).toBe(1);
    const sends = after.get('messaging.client.operation.duration');
    expect(countWith(sends, { 'customerio.operation': 'identify', 'error.type': undefined })).toBe(1);
    expect(countWith(sends, { 'customerio.operation': 'track', 'error.type': '400' })).toBe(1);
    expect(countWith(sends, { 'messaging.batch.message_count': undefined })).toBe(2);
    const http = after.get('http.client.request.duration');
    expect(countWith(http, { 'http.response.status_code': 400 })).toBe(1);
    expect(countWith(http, {})).toBe(2);
  });

  it('shows the circuit breaker open, and the age of what the queue then holds', async () => {
    const otel = await registerMeterProvider();
    subject = await startTestApp({
      flushWhenAsked: true,
      options: {
        queue: { shutdownTimeoutMs: 100 },
        retry: { maxAttempts: 1, circuitBreaker: { threshold: 1, halfOpenAfterMs: 60_000 } },
      },
    });
    const { client, sandbox } = subject;
    sandbox.respondWith(503, { path: '/api/v2/batch', times: 5 });
    client.track('c-1', 'held');
    await client.flush();
    expect(client.stats.circuit).toBe('open');

    const during = await otel.collect();
    const state = during.get('customerio.circuit.state');
    expect(pointWith(state, { ...SYSTEM, 'customerio.circuit.state': 'open' })).toBe(1);
    expect(pointWith(state, { ...SYSTEM, 'customerio.circuit.state': 'closed' })).toBe(0);
    expect(pointWith(state, { ...SYSTEM, 'customerio.circuit.state': 'half-open' })).toBe(0);
    expect(pointWith<number>(during.get('customerio.queue.oldest_age'), SYSTEM)).toBeCloseTo(
      client.stats.oldestQueuedAgeMs / 1000,
      1,
    );
    expect(pointWith(during.get('customerio.queue.operations'), SYSTEM)).toBe(1);
  });
});
