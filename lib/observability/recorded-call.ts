import type { Attributes, Span } from '@opentelemetry/api';
import type { CustomerIOOutboundRequest } from '../interfaces/customerio-interceptor.interface.js';
import { errorType, MESSAGING_SYSTEM, secondsSince } from './otel.attributes.js';
import type { OpenTelemetryApi } from './otel.loader.js';
import type { DeliveryMetrics } from './otel.metrics.js';
import type { DeliveryTracing } from './otel.tracing.js';
import type { CallOutcome, OutboundCall } from './outbound-call.context.js';

/** A send's metrics and its span: `send <operation>` (`send batch`, `send identify`, …). */
export class RecordedCall implements OutboundCall {
  readonly recording = true;
  readonly #api: OpenTelemetryApi;
  readonly #metrics: DeliveryMetrics;
  readonly #request: Pick<CustomerIOOutboundRequest, 'kind' | 'operation' | 'size'>;
  readonly #span: Span;
  readonly #started = performance.now();
  #attempts = 0;
  #status?: number;

  constructor(
    api: OpenTelemetryApi,
    metrics: DeliveryMetrics,
    tracing: DeliveryTracing,
    request: Pick<CustomerIOOutboundRequest, 'kind' | 'operation' | 'size'>,
    operationIds: readonly string[],
  ) {
    this.#api = api;
    this.#metrics = metrics;
    this.#request = request;
    const batch = request.kind === 'batch';
    const attributes: Attributes = {
      ...MESSAGING_SYSTEM,
      'messaging.operation.name': 'send',
      'messaging.operation.type': 'send',
      'customerio.operation': request.operation,
      'customerio.delivery': batch ? 'queue' : 'direct',
    };
    if (batch) attributes['messaging.batch.message_count'] = request.size;
    this.#span = tracing.tracer.startSpan(`send ${request.operation}`, {
      kind: batch ? api.SpanKind.PRODUCER : api.SpanKind.CLIENT,
      attributes,
      links: tracing.linksOf(operationIds),
    });
  }

  attempt(seconds: number, status: number | undefined, error?: unknown): void {
    this.#attempts += 1;
    this.#status = status;
    this.#metrics.request(seconds, status, error);
    if (!this.#span.isRecording()) return;
    const attributes: Attributes = { 'customerio.attempt': this.#attempts, 'customerio.duration_s': seconds };
    if (status !== undefined) attributes['http.response.status_code'] = status;
    if (status === undefined || status >= 400) attributes['error.type'] = status ? String(status) : errorType(error);
    this.#span.addEvent('http.attempt', attributes);
  }

  retried(error: unknown, delayMs: number): void {
    this.#metrics.retried(this.#request.operation, error);
    if (this.#span.isRecording()) {
      this.#span.addEvent('retry', { 'error.type': errorType(error), 'customerio.retry.delay_ms': delayMs });
    }
  }

  end(outcomes: readonly CallOutcome[], error?: unknown): void {
    const { kind, operation, size } = this.#request;
    this.#metrics.operation(secondsSince(this.#started), operation, kind === 'batch' ? size : undefined, error);
    if (kind === 'direct')
      for (const { outcome, count } of outcomes) this.#metrics.sent(outcome, count, 'direct', error);
    const span = this.#span;
    if (span.isRecording()) {
      const counts = new Map<string, number>();
      for (const { outcome, count } of outcomes) counts.set(outcome, (counts.get(outcome) ?? 0) + count);
      span.setAttribute('customerio.outcome', counts.size === 1 ? [...counts.keys()][0] : 'mixed');
      for (const [outcome, count] of counts) span.setAttribute(`customerio.operations.${outcome}`, count);
      span.setAttribute('customerio.attempts', this.#attempts);
      if (this.#status !== undefined) span.setAttribute('http.response.status_code', this.#status);
      if (error !== undefined) {
        span.setAttribute('error.type', errorType(error));
        span.setStatus({ code: this.#api.SpanStatusCode.ERROR, message: (error as Error).message });
      }
    }
    span.end();
  }
}
