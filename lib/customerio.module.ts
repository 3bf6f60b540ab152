import { type MiddlewareConsumer, Module, type NestModule, RequestMethod } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { CustomerIOSdkAdapter } from './client/customerio-sdk.adapter.js';
import { CustomerIODirectClient } from './client/customerio-direct.client.js';
import { CustomerIOClient } from './client/customerio.client.js';
import { BatchSender } from './delivery/batch.sender.js';
import { CustomerIOQueue } from './delivery/customerio-queue.service.js';
import { CustomerIORetryInterceptor } from './delivery/customerio-retry.interceptor.js';
import { DeliveryReporter } from './delivery/delivery.reporter.js';
import { OutboundPipeline } from './delivery/outbound-pipeline.service.js';
import { CUSTOMERIO_QUEUE_STORE, CUSTOMERIO_RESOLVED_OPTIONS } from './customerio.constants.js';
import { createQueueStore } from './delivery/queue-store.factory.js';
import type { ResolvedCustomerIOOptions } from './options/resolved-options.interface.js';
import { CustomerIODecoratorTracker } from './decorators/customerio-decorator.tracker.js';
import { CustomerIORequestContextMiddleware } from './decorators/customerio-request-context.middleware.js';
import { ConfigurableModuleClass, CUSTOMERIO_MODULE_OPTIONS } from './customerio.module-definition.js';
import type { CustomerIOModuleOptions } from './interfaces/customerio-module-options.interface.js';
import { resolveCustomerIOOptions } from './options/customerio-options.resolver.js';

/**
 * Customer.io for Nest: `CustomerIOModule.forRoot(options)` or `forRootAsync({ useFactory, inject })`
 * provides one {@link CustomerIOClient} for the application (and its parts: `CustomerIODirectClient`,
 * `CustomerIOQueue`). Options are validated while the application bootstraps, which fails with an
 * error naming the option. The module never imports `ScheduleModule.forRoot()`: the queue uses the
 * application's SchedulerRegistry when there is one, and a timer of its own otherwise.
 */
@Module({
  imports: [DiscoveryModule],
  providers: [
    {
      provide: CUSTOMERIO_RESOLVED_OPTIONS,
      inject: [CUSTOMERIO_MODULE_OPTIONS],
      useFactory: (options: CustomerIOModuleOptions) => resolveCustomerIOOptions(options),
    },
    {
      provide: CUSTOMERIO_QUEUE_STORE,
      inject: [CUSTOMERIO_RESOLVED_OPTIONS],
      useFactory: (options: ResolvedCustomerIOOptions) => createQueueStore(options.queue),
    },
    CustomerIOSdkAdapter,
    DeliveryReporter,
    CustomerIORetryInterceptor,
    OutboundPipeline,
    BatchSender,
    CustomerIOQueue,
    CustomerIODirectClient,
    CustomerIOClient,
    CustomerIODecoratorTracker,
    CustomerIORequestContextMiddleware,
  ],
  exports: [CustomerIOClient, CustomerIODirectClient, CustomerIOQueue, CustomerIODecoratorTracker],
})
export class CustomerIOModule extends ConfigurableModuleClass implements NestModule {
  /** Makes the current request known to `@TrackEvent` / `@Identify` on every route. */
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(CustomerIORequestContextMiddleware).forRoutes({ path: '*', method: RequestMethod.ALL });
  }
}
