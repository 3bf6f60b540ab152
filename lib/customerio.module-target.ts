import type { OnApplicationShutdown } from '@nestjs/common';
import { CustomerIOLogger } from './observability/customerio.logger.js';
import { DISABLED_MODE, SANDBOX_STARTED } from './errors/customerio.messages.js';
import type { CustomerIOModuleOptions } from './interfaces/customerio-module-options.interface.js';
import { resolveCustomerIOOptions } from './options/customerio-options.resolver.js';
import type { ResolvedCustomerIOOptions } from './options/resolved-options.interface.js';
import type { CustomerIOSandbox } from './sandbox/customerio-sandbox.js';
import { assertPipelinesClient } from './transport/customerio-sdk.adapter.js';

/**
 * Where the module sends, decided once at bootstrap from the validated options: Customer.io (mode `'live'`),
 * nowhere (`'disabled'`), or a sandbox started here on 127.0.0.1 (`'sandbox'`) and closed at application
 * shutdown, after the queue has sent what it held.
 */
export class CustomerIOModuleTarget implements OnApplicationShutdown {
  private constructor(
    /** The options the module runs with; in mode `'sandbox'`, pointing at the sandbox. */
    readonly options: ResolvedCustomerIOOptions,
    /** The sandbox started in mode `'sandbox'`; `null` otherwise. */
    readonly sandbox: CustomerIOSandbox | null = null,
  ) {}

  /** Validates `options` (every bad option in one error) and, in mode `'sandbox'`, starts the sandbox. */
  static async create(options: CustomerIOModuleOptions): Promise<CustomerIOModuleTarget> {
    const resolved = resolveCustomerIOOptions(options);
    assertPipelinesClient(resolved);
    const logger = new CustomerIOLogger(resolved.logLevel);
    if (resolved.mode === 'disabled') logger.log(DISABLED_MODE(), { event: 'customerio.mode.disabled' });
    if (resolved.mode !== 'sandbox') return new CustomerIOModuleTarget(resolved);
    // NOTE: loaded only in this mode, so that an application sending to Customer.io never loads the sandbox.
    const { CustomerIOSandbox } = await import('./sandbox/customerio-sandbox.js');
    const sandbox = await CustomerIOSandbox.start({
      ...('sandbox' in options ? options.sandbox : {}),
      host: '127.0.0.1',
    });
    logger.log(SANDBOX_STARTED(sandbox.url), { event: 'customerio.sandbox.started', url: sandbox.url });
    return new CustomerIOModuleTarget(resolveCustomerIOOptions({ ...options, ...sandbox.moduleOptions() }), sandbox);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.sandbox?.close();
  }
}
