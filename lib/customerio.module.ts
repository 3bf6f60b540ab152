import { Module } from '@nestjs/common';
import { CustomerIOSdkAdapter } from './client/customerio-sdk.adapter.js';
import { CustomerIOClient } from './client/customerio.client.js';
import { CUSTOMERIO_RESOLVED_OPTIONS } from './customerio.constants.js';
import { ConfigurableModuleClass, CUSTOMERIO_MODULE_OPTIONS } from './customerio.module-definition.js';
import type { CustomerIOModuleOptions } from './interfaces/customerio-module-options.interface.js';
import { resolveCustomerIOOptions } from './options/customerio-options.resolver.js';

/**
 * Customer.io for Nest: `CustomerIOModule.forRoot(options)` or `forRootAsync({ useFactory, inject })`
 * provides one {@link CustomerIOClient} for the application. Options are validated while the
 * application bootstraps, which fails with an error naming the option.
 */
@Module({
  providers: [
    {
      provide: CUSTOMERIO_RESOLVED_OPTIONS,
      inject: [CUSTOMERIO_MODULE_OPTIONS],
      useFactory: (options: CustomerIOModuleOptions) => resolveCustomerIOOptions(options),
    },
    CustomerIOSdkAdapter,
    CustomerIOClient,
  ],
  exports: [CustomerIOClient],
})
export class CustomerIOModule extends ConfigurableModuleClass {}
