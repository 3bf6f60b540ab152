import { AsyncLocalStorage } from 'node:async_hooks';
import type { CustomerIOCircuitState } from '../interfaces/customerio-queue-stats.interface.js';

// NOTE: nothing here names a type of @opentelemetry/api: the module's declarations that reach its public entries
// must compile in an app that does not install it.

/** What the queue's gauges read, at each collection. */
export interface QueueGaugeReading {
  /** Operations held, queued and in flight. */
  readonly queued: number;
  /** Bytes held, queued and in flight. */
  readonly queuedBytes: number;
  /** Operations in batches in flight. */
  readonly inFlight: number;
  /** Age of the oldest operation held, in ms (0 when none). */
  readonly oldestQueuedAgeMs: number;
  /** The circuit breaker's state. */
  readonly circuit: CustomerIOCircuitState;
}

/** How some of a send's operations ended: `delivered`, `invalid`, `failed`, `retry` (handed back to the queue), … */
export interface CallOutcome {
  readonly outcome: string;
  /** How many operations. */
  readonly count: number;
}

/**
 * One send to Customer.io (a batch, or a direct call), its retries included, as metrics and a span see it. The
 * transport tells it of each HTTP attempt ({@link activeOutboundCall}); whoever started it ends it once.
 */
export interface OutboundCall {
  /** Whether anything is recorded: `false` without the OpenTelemetry API. */
  readonly recording: boolean;
  /** One HTTP attempt took `seconds`: answered with `status`, or failed with `error` before an answer. */
  attempt(seconds: number, status: number | undefined, error?: unknown): void;
  /** The request is sent again after `error`, in `delayMs`. */
  retried(error: unknown, delayMs: number): void;
  /** The send ended: how its operations did, and the error of a send that got no 2xx answer. */
  end(outcomes: readonly CallOutcome[], error?: unknown): void;
}

/** The call when nothing is recorded. */
export const UNRECORDED_CALL: OutboundCall = { recording: false, attempt() {}, retried() {}, end() {} };

/** The call the HTTP attempts under way belong to (set by the outbound pipeline while a call is recorded). */
export const activeOutboundCall = new AsyncLocalStorage<OutboundCall>();
