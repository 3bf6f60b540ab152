import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { CustomerIOLogger } from '../observability/customerio.logger.js';
import { CUSTOMERIO_RESOLVED_OPTIONS } from '../customerio.constants.js';
import { REGION_MISMATCH, REGION_UNCHECKED } from '../errors/customerio.messages.js';
import type { ResolvedCustomerIOOptions } from '../options/resolved-options.interface.js';
import { CustomerIOSdkAdapter } from './customerio-sdk.adapter.js';
import { CustomerIOConfigError } from '../errors/customerio.errors.js';

/**
 * In mode `'live'` with `checkRegion` (by default, when `trackUrl` is not set), asks Customer.io which region the Track API credentials belong to
 * (`GET /api/v1/accounts/region`, one attempt within `timeoutMs`) while the module initializes. A region other
 * than the configured `region` fails start-up with a {@link CustomerIOConfigError} naming both; no answer (a
 * network error, a timeout, a non-2xx status, an answer without a region) logs a warning and start-up goes on.
 */
@Injectable()
export class CustomerIORegionCheck implements OnModuleInit {
  constructor(
    private readonly sdk: CustomerIOSdkAdapter,
    @Inject(CUSTOMERIO_RESOLVED_OPTIONS) private readonly options: ResolvedCustomerIOOptions,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.options.mode !== 'live' || !this.options.checkRegion) return;
    let answer: unknown;
    try {
      answer = await this.sdk.track((client) => client.request.get(`${client.trackRoot}/accounts/region`));
    } catch (error) {
      this.#unchecked(error instanceof Error ? error.message : String(error));
      return;
    }
    const { region, url } = (typeof answer === 'object' && answer !== null ? answer : {}) as Record<string, unknown>;
    if (region !== 'us' && region !== 'eu') {
      this.#unchecked('the answer names no region');
      return;
    }
    if (region !== this.options.region)
      throw new CustomerIOConfigError('region', REGION_MISMATCH(this.options.region, region, url));
  }

  #unchecked(reason: string): void {
    new CustomerIOLogger(this.options.logLevel).warn(REGION_UNCHECKED(reason), {
      event: 'customerio.region.unchecked',
      reason,
    });
  }
}
