import { REQUEST_ABANDONED } from './customerio.messages.js';

/**
 * Base of every error this module raises about a Customer.io call.
 * Carries what a caller (or a retry policy) needs to decide what to do next.
 */
export class CustomerIOError extends Error {
  override readonly name: string = 'CustomerIOError';
  /** HTTP status of Customer.io's answer, when there was one. */
  readonly status?: number;
  /** Whether sending the same request again could succeed. */
  readonly retryable: boolean;
  /** The delay Customer.io asked for in `Retry-After` (whole seconds or an HTTP date; other values are ignored), in ms. */
  readonly retryAfterMs?: number;
  /** Customer.io's own error messages, when its answer carried any. */
  readonly errors: readonly string[];

  constructor(
    message: string,
    details: { status?: number; retryable?: boolean; retryAfterMs?: number; errors?: readonly string[] } = {},
  ) {
    super(message);
    this.status = details.status;
    this.retryable = details.retryable ?? false;
    this.retryAfterMs = details.retryAfterMs;
    this.errors = details.errors ?? [];
  }
}

/**
 * What a request given up through `signal` fails with: the `CustomerIOError` it was aborted with (the queue says
 * why: its shutdown deadline, or a lease running out), else a retryable "abandoned" error.
 */
export function abortedError(signal: AbortSignal): CustomerIOError {
  return signal.reason instanceof CustomerIOError
    ? signal.reason
    : new CustomerIOError(REQUEST_ABANDONED(), { retryable: true });
}

/** Customer.io answered with a non-2xx status. */
export class CustomerIOHttpError extends CustomerIOError {
  override readonly name: string = 'CustomerIOHttpError';
}

/** No answer came within the configured deadline; the request was aborted and its socket released. */
export class CustomerIOTimeoutError extends CustomerIOError {
  override readonly name: string = 'CustomerIOTimeoutError';

  constructor(readonly timeoutMs: number) {
    super(`Customer.io did not answer within ${timeoutMs} ms`, { retryable: true });
  }
}

/** The connection failed (refused, reset, DNS); `code` is the system error code. */
export class CustomerIONetworkError extends CustomerIOError {
  override readonly name: string = 'CustomerIONetworkError';

  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message, { retryable: true });
  }
}

/** The circuit breaker is open after sustained failures: nothing is sent until a probe succeeds. */
export class CustomerIOCircuitOpenError extends CustomerIOError {
  override readonly name: string = 'CustomerIOCircuitOpenError';

  constructor() {
    super('Customer.io is failing: the circuit breaker is open and requests are held until a probe succeeds', {
      retryable: true,
    });
  }
}

/** The batching queue refused an operation: it is full (overflow policy `reject`) or closed for shutdown. */
export class CustomerIOQueueFullError extends CustomerIOError {
  override readonly name: string = 'CustomerIOQueueFullError';
}

/**
 * Input that Customer.io would refuse, thrown synchronously at the call site before any request.
 * `field` names the offending input and `limit` the rule it broke.
 */
export class CustomerIOValidationError extends CustomerIOError {
  override readonly name: string = 'CustomerIOValidationError';

  constructor(
    readonly field: string,
    readonly limit: string,
    message: string,
  ) {
    super(message, { retryable: false });
  }
}

/**
 * The module's options, or the way the module is imported, are unusable; raised while the application
 * bootstraps. Every bad option is in the one error: `option` is the first, `options` all of them.
 */
export class CustomerIOConfigError extends Error {
  override readonly name = 'CustomerIOConfigError';

  constructor(
    readonly option: string,
    message: string,
    /** Every option at fault, `option` first. @default [option] */
    readonly options: readonly string[] = [option],
  ) {
    super(message);
  }
}
