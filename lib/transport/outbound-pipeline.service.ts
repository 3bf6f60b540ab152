import { Inject, Injectable } from '@nestjs/common';
import { CustomerIOError } from '../errors/customerio.errors.js';
import { CUSTOMERIO_RESOLVED_OPTIONS } from '../customerio.constants.js';
import type { ResolvedCustomerIOOptions } from '../options/resolved-options.interface.js';
import type {
  CustomerIOInterceptor,
  CustomerIOOutboundRequest,
} from '../interfaces/customerio-interceptor.interface.js';
import { CustomerIORetryInterceptor } from './customerio-retry.interceptor.js';
import { DeliveryReporter } from '../observability/delivery.reporter.js';
import { activeOutboundCall, type OutboundCall } from '../observability/outbound-call.context.js';

/**
 * Sends every outbound request, direct or batched, through the interceptor chain. An interceptor that fails
 * (see {@link CustomerIOInterceptor}) is counted and logged by the reporter, and the request goes on without it.
 */
@Injectable()
export class OutboundPipeline {
  readonly #chain: readonly CustomerIOInterceptor[];

  constructor(
    @Inject(CUSTOMERIO_RESOLVED_OPTIONS) options: ResolvedCustomerIOOptions,
    retry: CustomerIORetryInterceptor,
    private readonly reporter: DeliveryReporter,
  ) {
    this.#chain = options.retry ? [...options.interceptors, retry] : options.interceptors;
  }

  /**
   * Sends `request` through the chain, recorded as `call` (see {@link startCall}; its starter ends it), or, when
   * none is given, as a call of its own, ended here: `delivered`, or `invalid` (a 400 or 413) or `failed`.
   */
  async send<T>(context: CustomerIOOutboundRequest, request: () => Promise<T>, call?: OutboundCall): Promise<T> {
    const recorded = call ?? this.startCall(context);
    if (!recorded.recording) return this.#run(context, request);
    const onRetry = (error: CustomerIOError, delayMs: number) => {
      recorded.retried(error, delayMs);
      context.onRetry?.(error, delayMs);
    };
    try {
      const result = await activeOutboundCall.run(recorded, () => this.#run({ ...context, onRetry }, request));
      if (!call) recorded.end([{ outcome: 'delivered', count: 1 }]);
      return result;
    } catch (error) {
      const status = (error as CustomerIOError).status;
      if (!call) recorded.end([{ outcome: status === 400 || status === 413 ? 'invalid' : 'failed', count: 1 }], error);
      throw error;
    }
  }

  /** Starts recording a send (metrics, and a span linked to the spans that enqueued `operationIds`). */
  startCall(context: CustomerIOOutboundRequest, operationIds?: readonly string[]): OutboundCall {
    return this.reporter.telemetry.startCall(context, operationIds);
  }

  #run<T>(context: CustomerIOOutboundRequest, request: () => Promise<T>): Promise<T> {
    const run = (index: number): Promise<T> =>
      index === this.#chain.length ? request() : this.#intercept(index, context, () => run(index + 1));
    return run(0);
  }

  /**
   * Runs interceptor `index`. A `CustomerIOError` it throws, or the very error `next()` rejected with, is the
   * request's outcome; anything else it throws or rejects with is a failure of its own: the request's outcome is
   * then the last `next()`'s, or, if it never called `next()`, that of the rest of the chain.
   */
  async #intercept<T>(index: number, context: CustomerIOOutboundRequest, next: () => Promise<T>): Promise<T> {
    const interceptor = this.#chain[index];
    let inner: Promise<T> | undefined;
    const callNext = (): Promise<T> => {
      const called = next();
      // NOTE: an interceptor may drop next()'s promise: its rejection must not go unhandled.
      called.catch(() => undefined);
      return (inner = called);
    };
    try {
      return await interceptor.intercept(context, callNext);
    } catch (error) {
      if (error instanceof CustomerIOError) throw error;
      if (
        inner &&
        (await inner.then(
          () => false,
          (innerError: unknown) => innerError === error,
        ))
      )
        throw error;
      this.reporter.userCodeFailed('interceptor', interceptorLabel(interceptor, index), error);
      return inner ?? next();
    }
  }
}

/** `interceptors[0] (MetricsInterceptor)`, or `interceptors[0]` for a plain object. */
function interceptorLabel(interceptor: CustomerIOInterceptor, index: number): string {
  const name = (interceptor as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' && name !== 'Object'
    ? `interceptors[${index}] (${name})`
    : `interceptors[${index}]`;
}
