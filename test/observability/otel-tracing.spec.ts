import { afterEach, describe, expect, it } from '@jest/globals';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { CustomerIOError } from '../../lib/index.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { registerTracerProvider } from './support/otel-sdk.js';

/** Runs `fn` in a new active span named `name`, ends it, and answers the span's context and `fn`'s result. */
function inSpan<T>(name: string, fn: () => T): { spanId: string; traceId: string; result: T } {
  return trace.getTracer('test').startActiveSpan(name, (span) => {
    const result = fn();
    span.end();
    return { ...span.spanContext(), result };
  });
}

const named = (spans: ReadableSpan[], name: string) => spans.filter((span) => span.name === name);

describe('OpenTelemetry traces (real tracing SDK, real sandbox)', () => {
  let subject: TestApp | undefined;
  afterEach(() => subject?.close());

  it('gives a batch send a span with its attempts as events, linked to the spans that enqueued its operations', async () => {
    const exporter = registerTracerProvider();
    subject = await startTestApp({ flushWhenAsked: true, quickRetries: true });
    const { client, sandbox } = subject;
    const a = inSpan('request A', () => client.track('u-1', 'a').id);
    const b = inSpan('request B', () => client.track('u-2', 'b').id);
    client.track('u-3', 'no span');
    sandbox.respondWith(503, { path: '/api/v2/batch', times: 1 });
    await client.flush();

    const [batch] = named(exporter.getFinishedSpans(), 'send batch');
    expect(named(exporter.getFinishedSpans(), 'send batch')).toHaveLength(1);
    expect(batch.kind).toBe(SpanKind.PRODUCER);
    expect(batch.instrumentationScope.name).toBe('nestjs-customerio');
    expect(batch.attributes).toMatchObject({
      'messaging.system': 'customerio',
      'messaging.operation.name': 'send',
      'customerio.operation': 'batch',
      'messaging.batch.message_count': 3,
      'customerio.outcome': 'delivered',
      'customerio.operations.delivered': 3,
      'customerio.attempts': 2,
      'http.response.status_code': 200,
    });
    expect(batch.status.code).toBe(SpanStatusCode.UNSET);
    expect(batch.events.map(({ name, attributes }) => [name, attributes?.['http.response.status_code']])).toEqual([
      ['http.attempt', 503],
      ['retry', undefined],
      ['http.attempt', 200],
    ]);
    expect(batch.events[1].attributes).toMatchObject({ 'error.type': '503' });
    expect(
      batch.links.map(({ context, attributes }) => [
        context.traceId,
        context.spanId,
        attributes?.['messaging.message.id'],
      ]),
    ).toEqual([
      [a.traceId, a.spanId, a.result],
      [b.traceId, b.spanId, b.result],
    ]);
  });

  it('marks the operations of a 207 in the batch span, and links nothing once they reached their outcome', async () => {
    const exporter = registerTracerProvider();
    subject = await startTestApp({ flushWhenAsked: true });
    const { client, sandbox } = subject;
    inSpan('request', () => [client.track('u-1', 'a'), client.track('u-2', 'b')]);
    sandbox.respondWith(207, {
      path: '/api/v2/batch',
      times: 1,
      body: { errors: [{ batch_index: 1, reason: 'bad' }] },
    });
    await client.flush();
    client.track('u-1', 'later');
    await client.flush();

    const [first, second] = named(exporter.getFinishedSpans(), 'send batch');
    expect(first.attributes).toMatchObject({
      'customerio.outcome': 'mixed',
      'customerio.operations.delivered': 1,
      'customerio.operations.invalid': 1,
      'http.response.status_code': 207,
    });
    expect(first.links).toHaveLength(2);
    expect(second.links).toHaveLength(0);
  });

  it('gives each direct call a client span, a child of the active span, with its failure as the span status', async () => {
    const exporter = registerTracerProvider();
    subject = await startTestApp();
    const { direct, sandbox } = subject;
    const parent = await trace.getTracer('test').startActiveSpan('request', async (span) => {
      await direct.identify('d-1', { plan: 'pro' });
      sandbox.respondWith(400, { times: 1 });
      await expect(direct.track('d-1', 'refused')).rejects.toBeInstanceOf(CustomerIOError);
      span.end();
      return span.spanContext();
    });

    const [identify] = named(exporter.getFinishedSpans(), 'send identify');
    expect(identify.kind).toBe(SpanKind.CLIENT);
    expect(identify.parentSpanContext?.spanId).toBe(parent.spanId);
    expect(identify.attributes).toMatchObject({
      'customerio.delivery': 'direct',
      'customerio.outcome': 'delivered',
      'customerio.attempts': 1,
      'http.response.status_code': 200,
    });
    expect(identify.attributes['messaging.batch.message_count']).toBeUndefined();
    const [track] = named(exporter.getFinishedSpans(), 'send track');
    expect(track.attributes).toMatchObject({
      'customerio.outcome': 'invalid',
      'error.type': '400',
      'http.response.status_code': 400,
    });
    expect(track.status.code).toBe(SpanStatusCode.ERROR);
    expect(track.status.message).toMatch(/Customer.io answered 400/);
  });
});
