import type {
  Attributes,
  BatchObservableCallback,
  Counter,
  Histogram,
  Meter,
  ObservableGauge,
} from '@opentelemetry/api';
import { DURATION_BUCKETS, errorType, INSTRUMENTATION_NAME, MESSAGING_SYSTEM } from './otel.attributes.js';
import type { OpenTelemetryApi } from './otel.loader.js';
import type { QueueGaugeReading } from './outbound-call.context.js';
import type { CustomerIOCircuitState } from '../interfaces/customerio-queue-stats.interface.js';

/** The circuit breaker's states, each observed as a point of `customerio.circuit.state`. */
const CIRCUIT_STATES: readonly CustomerIOCircuitState[] = ['closed', 'half-open', 'open'];

/** Where an operation went: through the queue, or a direct (awaited) call. */
export type DeliveryPath = 'queue' | 'direct';

/**
 * The module's OpenTelemetry metrics, on the meter `nestjs-customerio` of the global meter provider as it is when
 * the application is created (register the SDK before). Named after OpenTelemetry's messaging semantic conventions,
 * every one with `messaging.system = "customerio"`:
 * - `messaging.client.sent.messages` (counter, `{message}`): operations by `customerio.outcome`, with `error.type`
 *   for every outcome but `delivered` and `disabled`, and `customerio.delivery` (`queue` or `direct`);
 * - `messaging.client.operation.duration` (histogram, `s`): each send, its retries included, with
 *   `messaging.operation.name` (`send`), `customerio.operation` (`batch`, `identify`, …),
 *   `messaging.batch.message_count` for a batch, and `error.type` when it failed;
 * - `http.client.request.duration` (histogram, `s`): each HTTP attempt, with `http.request.method`,
 *   `http.response.status_code` when answered and `error.type` when failed;
 * - `customerio.client.retries` (counter, `{retry}`): requests sent again, by `customerio.operation` and `error.type`;
 * - observable gauges `customerio.queue.operations` (`{operation}`), `customerio.queue.bytes` (`By`),
 *   `customerio.queue.in_flight` (`{operation}`), `customerio.queue.oldest_age` (`s`) and `customerio.circuit.state`
 *   (1 for the breaker's state, named by `customerio.circuit.state`, 0 for the others), read from the queue's `stats`
 *   at each collection.
 */
export class DeliveryMetrics {
  readonly #meter: Meter;
  readonly #sent: Counter;
  readonly #operationDuration: Histogram;
  readonly #requestDuration: Histogram;
  readonly #retries: Counter;
  readonly #gauges: ObservableGauge[] = [];
  #observe?: BatchObservableCallback;

  constructor(api: OpenTelemetryApi) {
    const meter = (this.#meter = api.metrics.getMeter(INSTRUMENTATION_NAME));
    const advice = { explicitBucketBoundaries: DURATION_BUCKETS };
    this.#sent = meter.createCounter('messaging.client.sent.messages', {
      description: 'Operations sent to Customer.io, by outcome',
      unit: '{message}',
    });
    this.#operationDuration = meter.createHistogram('messaging.client.operation.duration', {
      description: 'Duration of a send to Customer.io (a batch or a direct call), its retries included',
      unit: 's',
      advice,
    });
    this.#requestDuration = meter.createHistogram('http.client.request.duration', {
      description: 'Duration of one HTTP request to Customer.io',
      unit: 's',
      advice,
    });
    this.#retries = meter.createCounter('customerio.client.retries', {
      description: 'Requests to Customer.io sent again after a retryable failure',
      unit: '{retry}',
    });
  }

  /** Counts `count` operations that reached `outcome`; `error` (or the outcome's name) gives a failure's `error.type`. */
  sent(outcome: string, count: number, path: DeliveryPath, error?: unknown): void {
    const attributes: Attributes = { ...MESSAGING_SYSTEM, 'customerio.outcome': outcome, 'customerio.delivery': path };
    if (outcome !== 'delivered' && outcome !== 'disabled')
      attributes['error.type'] = error ? errorType(error) : outcome;
    this.#sent.add(count, attributes);
  }

  /** Records one send's duration; `size` is a batch's operation count, `error` a failed send's error. */
  operation(seconds: number, operation: string, size: number | undefined, error?: unknown): void {
    const attributes: Attributes = {
      ...MESSAGING_SYSTEM,
      'messaging.operation.name': 'send',
      'customerio.operation': operation,
    };
    if (size !== undefined) attributes['messaging.batch.message_count'] = size;
    if (error !== undefined) attributes['error.type'] = errorType(error);
    this.#operationDuration.record(seconds, attributes);
  }

  /** Records one HTTP attempt's duration: its answer's `status`, or the `error` it failed with before any answer. */
  request(seconds: number, status: number | undefined, error?: unknown): void {
    const attributes: Attributes = { ...MESSAGING_SYSTEM, 'http.request.method': 'POST' };
    if (status !== undefined) attributes['http.response.status_code'] = status;
    if (status !== undefined && status >= 400) attributes['error.type'] = String(status);
    else if (status === undefined) attributes['error.type'] = errorType(error);
    this.#requestDuration.record(seconds, attributes);
  }

  /** Counts a request sent again after `error`. */
  retried(operation: string, error: unknown): void {
    this.#retries.add(1, { ...MESSAGING_SYSTEM, 'customerio.operation': operation, 'error.type': errorType(error) });
  }

  /** Observes the queue's gauges through `read`, at each collection, until {@link close}. */
  watchQueue(read: () => QueueGaugeReading): void {
    const unit = { operations: '{operation}', bytes: 'By' };
    const queued = this.#meter.createObservableGauge('customerio.queue.operations', {
      description: 'Operations held by the queue, queued and in flight',
      unit: unit.operations,
    });
    const bytes = this.#meter.createObservableGauge('customerio.queue.bytes', {
      description: 'Bytes held by the queue, queued and in flight',
      unit: unit.bytes,
    });
    const inFlight = this.#meter.createObservableGauge('customerio.queue.in_flight', {
      description: 'Operations in batches in flight',
      unit: unit.operations,
    });
    const oldestAge = this.#meter.createObservableGauge('customerio.queue.oldest_age', {
      description: 'Age of the oldest operation held by the queue (0 when it holds none)',
      unit: 's',
    });
    const circuit = this.#meter.createObservableGauge('customerio.circuit.state', {
      description: "The retry interceptor's circuit breaker: 1 for its current state, 0 for the others",
      unit: '{state}',
    });
    this.#gauges.push(queued, bytes, inFlight, oldestAge, circuit);
    this.#observe = (result) => {
      const stats = read();
      result.observe(queued, stats.queued, MESSAGING_SYSTEM);
      result.observe(bytes, stats.queuedBytes, MESSAGING_SYSTEM);
      result.observe(inFlight, stats.inFlight, MESSAGING_SYSTEM);
      result.observe(oldestAge, stats.oldestQueuedAgeMs / 1000, MESSAGING_SYSTEM);
      for (const state of CIRCUIT_STATES) {
        result.observe(circuit, state === stats.circuit ? 1 : 0, {
          ...MESSAGING_SYSTEM,
          'customerio.circuit.state': state,
        });
      }
    };
    this.#meter.addBatchObservableCallback(this.#observe, this.#gauges);
  }

  /** Stops observing the queue's gauges (the application shuts down). */
  close(): void {
    if (this.#observe) this.#meter.removeBatchObservableCallback(this.#observe, this.#gauges);
    this.#observe = undefined;
  }
}
