import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { CustomerIOModuleOptions } from './interfaces/customerio-module-options.interface.js';

/** What `forRoot` / `forRootAsync` take besides the options themselves. */
export interface CustomerIOModuleExtras {
  /**
   * Registers the module globally, so that every module can inject the client without importing it.
   * @default false
   */
  isGlobal?: boolean;
}

export const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN, OPTIONS_TYPE, ASYNC_OPTIONS_TYPE } =
  new ConfigurableModuleBuilder<CustomerIOModuleOptions>({ moduleName: 'CustomerIO' })
    .setClassMethodName('forRoot')
    .setFactoryMethodName('createCustomerIOOptions')
    .setExtras<CustomerIOModuleExtras>({ isGlobal: false }, (definition, extras) => ({
      ...definition,
      global: extras.isGlobal,
    }))
    .build();

/** The token of CustomerIOModule's raw options (as given to `forRoot` / made by `forRootAsync`), for `overrideProvider(...)` in tests. */
export const CUSTOMERIO_MODULE_OPTIONS = MODULE_OPTIONS_TOKEN;
