import type { Attributes } from '@opentelemetry/api';
import { CustomerIOError } from '../errors/customerio.errors.js';

/** The name of the module's meter and tracer. */
export const INSTRUMENTATION_NAME = 'nestjs-customerio';

/** `messaging.system`, on every metric and span: OpenTelemetry's messaging semantic conventions. */
export const MESSAGING_SYSTEM: Attributes = Object.freeze({ 'messaging.system': 'customerio' });

/** Bucket boundaries (seconds) of the duration histograms: those OpenTelemetry's semantic conventions advise. */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

/**
 * `error.type` of a failure, low in cardinality: the HTTP status of an answer (`'503'`), a socket's error code
 * (`'ECONNRESET'`), else the error's class name (`'CustomerIOTimeoutError'`, `'CustomerIOCircuitOpenError'`).
 */
export function errorType(error: unknown): string {
  if (error instanceof CustomerIOError && error.status !== undefined) return String(error.status);
  const { code, name } = (error ?? {}) as { code?: unknown; name?: unknown };
  if (typeof code === 'string') return code;
  return typeof name === 'string' && name !== 'Error' ? name : '_OTHER';
}

/** Seconds since `started` (a `performance.now()`). */
export const secondsSince = (started: number): number => (performance.now() - started) / 1000;
