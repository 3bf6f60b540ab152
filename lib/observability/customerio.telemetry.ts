import type { CustomerIOOutboundRequest } from '../interfaces/customerio-interceptor.interface.js';
import { type OpenTelemetryApi, otelApi } from './otel.loader.js';
import { DeliveryMetrics } from './otel.metrics.js';
import { DeliveryTracing } from './otel.tracing.js';
import { type OutboundCall, type QueueGaugeReading, UNRECORDED_CALL } from './outbound-call.context.js';
import { RecordedCall } from './recorded-call.js';

/**
 * The module's OpenTelemetry metrics ({@link DeliveryMetrics}) and traces ({@link DeliveryTracing}), through
 * `@opentelemetry/api`, an optional peer dependency: without it every method returns at once and records nothing;
 * with it and no SDK registered, the API's no-op meter and tracer record nothing.
 */
export class CustomerIOTelemetry {
  readonly #api?: OpenTelemetryApi;
  readonly #metrics?: DeliveryMetrics;
  readonly #tracing?: DeliveryTracing;

  constructor() {
    const api = otelApi;
    if (!api) return;
    this.#api = api;
    this.#metrics = new DeliveryMetrics(api);
    this.#tracing = new DeliveryTracing(api);
  }

  /**
   * Links operation `id` to the span active now, if any: the span of the send that carries it will link back to
   * it (in this process's memory only: see {@link DeliveryTracing}).
   */
  linkEnqueued(id: string): void {
    this.#tracing?.capture(id);
  }

  /** Counts `ids.length` queued operations that reached `outcome` (`error`: why they failed), and forgets their links. */
  countOutcome(outcome: string, ids: readonly string[], error?: unknown): void {
    if (!this.#metrics) return;
    this.#metrics.sent(outcome, ids.length, 'queue', error);
    this.#tracing!.forget(ids);
  }

  /** Starts recording one send (`operationIds`: the queued operations it carries, for their links). */
  startCall(
    request: Pick<CustomerIOOutboundRequest, 'kind' | 'operation' | 'size'>,
    operationIds: readonly string[] = [],
  ): OutboundCall {
    if (!this.#api) return UNRECORDED_CALL;
    return new RecordedCall(this.#api, this.#metrics!, this.#tracing!, request, operationIds);
  }

  /** Observes the queue's gauges through `read` until {@link close}. */
  watchQueue(read: () => QueueGaugeReading): void {
    this.#metrics?.watchQueue(read);
  }

  /** Stops observing the queue (the application shuts down). */
  close(): void {
    this.#metrics?.close();
  }
}
