import { Inject, Injectable } from '@nestjs/common';
import { CUSTOMERIO_RESOLVED_OPTIONS } from '../customerio.constants.js';
import type { ResolvedCustomerIOOptions } from '../options/resolved-options.interface.js';
import type { CustomerIOInterceptor, CustomerIORequestContext } from './customerio-interceptor.interface.js';
import { CustomerIORetryInterceptor } from './customerio-retry.interceptor.js';

/** Sends every outbound request, direct or batched, through the interceptor chain. */
@Injectable()
export class OutboundPipeline {
  readonly #chain: readonly CustomerIOInterceptor[];

  constructor(@Inject(CUSTOMERIO_RESOLVED_OPTIONS) options: ResolvedCustomerIOOptions, retry: CustomerIORetryInterceptor) {
    this.#chain = options.retry ? [...options.interceptors, retry] : options.interceptors;
  }

  send<T>(context: CustomerIORequestContext, request: () => Promise<T>): Promise<T> {
    const run = (index: number): Promise<T> =>
      index === this.#chain.length ? request() : this.#chain[index].intercept(context, () => run(index + 1));
    return run(0);
  }
}
