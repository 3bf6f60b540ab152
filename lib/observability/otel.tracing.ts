import type { Link, SpanContext, Tracer } from '@opentelemetry/api';
import { INSTRUMENTATION_NAME } from './otel.attributes.js';
import type { OpenTelemetryApi } from './otel.loader.js';

/** Most enqueue links held at once; past it the oldest is forgotten (its operation's batch span has no link). */
const MAX_LINKS = 10_000;

/**
 * The module's traces: the tracer `nestjs-customerio` (of the global tracer provider, whenever it is registered),
 * and the links from a batch's span back to the spans that enqueued its operations.
 *
 * NOTE: a link lives in this process's memory only, from `enqueue` until the operation's outcome: it is not
 * persisted in a durable store, so an operation sent after a restart, or by another instance sharing the store,
 * has none.
 */
export class DeliveryTracing {
  /** The tracer spans start on. */
  readonly tracer: Tracer;
  readonly #api: OpenTelemetryApi;
  readonly #links = new Map<string, SpanContext>();

  constructor(api: OpenTelemetryApi) {
    this.#api = api;
    this.tracer = api.trace.getTracer(INSTRUMENTATION_NAME);
  }

  /** Keeps the span active now (if any, and valid) as the link of operation `id`. */
  capture(id: string): void {
    const span = this.#api.trace.getActiveSpan();
    if (!span) return;
    const context = span.spanContext();
    if (!this.#api.trace.isSpanContextValid(context)) return;
    if (this.#links.size >= MAX_LINKS) this.#links.delete(this.#links.keys().next().value!);
    this.#links.set(id, context);
  }

  /** The links of the operations `ids` that have one. */
  linksOf(ids: readonly string[]): Link[] {
    const links: Link[] = [];
    if (this.#links.size === 0) return links;
    for (const id of ids) {
      const context = this.#links.get(id);
      if (context) links.push({ context, attributes: { 'messaging.message.id': id } });
    }
    return links;
  }

  /** Forgets the links of operations that reached their outcome. */
  forget(ids: readonly string[]): void {
    if (this.#links.size === 0) return;
    for (const id of ids) this.#links.delete(id);
  }
}
