import { type DynamicModule, type MiddlewareConsumer, Module, type NestModule, RequestMethod } from '@nestjs/common';
import { DiscoveryModule, ModulesContainer } from '@nestjs/core';
import { CustomerIORegionCheck } from './transport/customerio-region.check.js';
import { CustomerIOSdkAdapter } from './transport/customerio-sdk.adapter.js';
import { CustomerIODirectClient } from './client/customerio-direct.client.js';
import { CustomerIOClient } from './client/customerio.client.js';
import { BatchSender } from './delivery/batch.sender.js';
import { CustomerIOQueue } from './delivery/customerio-queue.service.js';
import { CustomerIORetryInterceptor } from './transport/customerio-retry.interceptor.js';
import { DeliveryReporter } from './observability/delivery.reporter.js';
import { OutboundPipeline } from './transport/outbound-pipeline.service.js';
import {
  CUSTOMERIO_OPENED_QUEUE_STORE,
  CUSTOMERIO_RESOLVED_OPTIONS,
  CUSTOMERIO_SANDBOX,
} from './customerio.constants.js';
import { DisabledBatchSender } from './delivery/disabled-batch.sender.js';
import { openQueueStore } from './stores/queue-store.opener.js';
import type { ResolvedCustomerIOOptions } from './options/resolved-options.interface.js';
import { CustomerIODecoratorTracker } from './decorators/customerio-decorator.tracker.js';
import { DecoratedInstanceExplorer } from './decorators/decorated-instance.explorer.js';
import { IncomingRequestMiddleware } from './decorators/incoming-request.middleware.js';
import {
  ConfigurableModuleClass,
  CUSTOMERIO_MODULE_OPTIONS,
  type OPTIONS_TYPE,
} from './customerio.module-definition.js';
import { CUSTOMERIO_OPTION_SOURCES } from './options/customerio-options.resolver.js';
import type { CustomerIOModuleOptions } from './interfaces/customerio-module-options.interface.js';
import { checkInstallation } from './customerio.module-installation.js';
import { CustomerIOModuleTarget } from './customerio.module-target.js';

/**
 * Customer.io for Nest: `CustomerIOModule.forRoot(options)` or `forRootAsync({ useFactory, inject })`
 * provides one {@link CustomerIOClient} for the application (and its parts: `CustomerIODirectClient`,
 * `CustomerIOQueue`). Options are validated while the application bootstraps, which fails with one
 * error naming every bad option; so does importing the module without `forRoot`, or `forRoot` more than
 * once in an application. `mode` picks where it sends (see `CustomerIOMode`). The module never imports
 * `ScheduleModule.forRoot()`: the queue uses the application's SchedulerRegistry when there is one, and a
 * timer of its own otherwise.
 */
@Module({
  imports: [DiscoveryModule],
  providers: [
    {
      provide: CustomerIOModuleTarget,
      // NOTE: optional, so that a bare import gets an error saying what to do instead of Nest's unknown dependency.
      inject: [{ token: CUSTOMERIO_MODULE_OPTIONS, optional: true }, ModulesContainer],
      useFactory: (options: CustomerIOModuleOptions, modules: ModulesContainer) => {
        checkInstallation(modules, CustomerIOModule);
        return CustomerIOModuleTarget.create(options);
      },
    },
    {
      provide: CUSTOMERIO_RESOLVED_OPTIONS,
      inject: [CustomerIOModuleTarget],
      useFactory: (target: CustomerIOModuleTarget) => target.options,
    },
    {
      provide: CUSTOMERIO_SANDBOX,
      inject: [CustomerIOModuleTarget],
      useFactory: (target: CustomerIOModuleTarget) => target.sandbox,
    },
    {
      provide: BatchSender,
      inject: [CUSTOMERIO_RESOLVED_OPTIONS, OutboundPipeline, CustomerIOSdkAdapter],
      useFactory: (options: ResolvedCustomerIOOptions, pipeline: OutboundPipeline, sdk: CustomerIOSdkAdapter) =>
        options.mode === 'disabled'
          ? new DisabledBatchSender(pipeline, sdk, options)
          : new BatchSender(pipeline, sdk, options),
    },
    {
      provide: CUSTOMERIO_OPENED_QUEUE_STORE,
      inject: [CUSTOMERIO_RESOLVED_OPTIONS],
      useFactory: (options: ResolvedCustomerIOOptions) => openQueueStore(options.queue),
    },
    CustomerIOSdkAdapter,
    CustomerIORegionCheck,
    DeliveryReporter,
    CustomerIORetryInterceptor,
    OutboundPipeline,
    CustomerIOQueue,
    CustomerIODirectClient,
    CustomerIOClient,
    DecoratedInstanceExplorer,
    CustomerIODecoratorTracker,
    IncomingRequestMiddleware,
  ],
  exports: [CustomerIOClient, CustomerIODirectClient, CustomerIOQueue, CustomerIODecoratorTracker, CUSTOMERIO_SANDBOX],
})
export class CustomerIOModule extends ConfigurableModuleClass implements NestModule {
  /** Provides the client configured with `options`; see {@link CustomerIOModuleOptions}. */
  static override forRoot(options: typeof OPTIONS_TYPE): DynamicModule {
    const definition = super.forRoot(options);
    // NOTE: the builder copies the options by their string keys; where customerIOOptionsFromConfig read them is under a symbol.
    const sources = (options as { [CUSTOMERIO_OPTION_SOURCES]?: unknown })[CUSTOMERIO_OPTION_SOURCES];
    const provider = definition.providers?.find((p) => 'provide' in p && p.provide === CUSTOMERIO_MODULE_OPTIONS);
    if (sources && provider && 'useValue' in provider)
      Object.assign(provider.useValue, { [CUSTOMERIO_OPTION_SOURCES]: sources });
    return definition;
  }

  /** Makes the current request known to `@TrackEvent` / `@Identify` on every route. */
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(IncomingRequestMiddleware).forRoutes({ path: '*', method: RequestMethod.ALL });
  }
}
