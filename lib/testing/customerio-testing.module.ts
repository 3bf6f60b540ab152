import { type DynamicModule, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { CustomerIOModule } from '../customerio.module.js';
import type { CustomerIOModuleOptions } from '../interfaces/customerio-module-options.interface.js';
import { CustomerIOSandbox } from '../sandbox/customerio-sandbox.js';
import type { CustomerIOSandboxOptions } from '../sandbox/sandbox.interface.js';

/** Options of {@link CustomerIOTestingModule.forRoot}. */
export interface CustomerIOTestingModuleOptions {
  /** Options of the sandbox server (credentials, port, maxRecords, strict). @default a free port, the sandbox's default credentials, maxRecords and strict rules */
  sandbox?: CustomerIOSandboxOptions;
  /** Module options to apply over the sandbox's (for example `timeout`). @default none */
  client?: Partial<CustomerIOModuleOptions>;
}

@Injectable()
class SandboxCloser implements OnApplicationShutdown {
  constructor(@Inject(CustomerIOSandbox) private readonly sandbox: CustomerIOSandbox) {}

  onApplicationShutdown(): Promise<void> {
    return this.sandbox.close();
  }
}

/**
 * A global `CustomerIOModule` wired to an in-process {@link CustomerIOSandbox}, for tests of code that
 * injects `CustomerIOClient`. Inject `CustomerIOSandbox` to assert what was sent; closing the
 * application closes the sandbox.
 *
 * To point an application's own `CustomerIOModule` at a sandbox instead, override its options:
 * `Test.createTestingModule({ imports: [AppModule] }).overrideProvider(CUSTOMERIO_MODULE_OPTIONS).useValue(sandbox.moduleOptions())`.
 */
@Module({})
export class CustomerIOTestingModule {
  static forRoot(options: CustomerIOTestingModuleOptions = {}): DynamicModule {
    const sandboxModule: DynamicModule = {
      module: class CustomerIOSandboxModule {},
      providers: [
        { provide: CustomerIOSandbox, useFactory: () => CustomerIOSandbox.start(options.sandbox) },
        SandboxCloser,
      ],
      exports: [CustomerIOSandbox],
    };
    return {
      module: CustomerIOTestingModule,
      global: true,
      imports: [
        sandboxModule,
        CustomerIOModule.forRootAsync({
          isGlobal: true,
          imports: [sandboxModule],
          inject: [CustomerIOSandbox],
          useFactory: (sandbox: CustomerIOSandbox) => ({ ...sandbox.moduleOptions(), ...options.client }),
        }),
      ],
      exports: [sandboxModule],
    };
  }
}
