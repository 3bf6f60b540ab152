// How CustomerIOModule is imported: the mistakes a newcomer makes fail at bootstrap with a CustomerIOConfigError that
// names the importing modules and the fix; the right ways (one forRoot, global or re-exported; one per application) work.
import { Injectable, Module, type Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CustomerIOClient, CustomerIOConfigError, CustomerIOModule, type CustomerIOModuleOptions } from '../../lib/index.js';
import { CustomerIOSandbox } from '../../lib/testing/index.js';

/** The error compiling an application of `root` fails with (fails the test if it compiles). */
async function bootstrapError(root: Type): Promise<CustomerIOConfigError> {
  const error = await Test.createTestingModule({ imports: [root] })
    .compile()
    .then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(CustomerIOConfigError);
  return error as CustomerIOConfigError;
}

describe('CustomerIOModule imported the wrong way', () => {
  let sandbox: CustomerIOSandbox;
  let options: CustomerIOModuleOptions;
  beforeAll(async () => {
    sandbox = await CustomerIOSandbox.start();
    options = sandbox.moduleOptions();
  });
  afterAll(() => sandbox.close());

  @Injectable()
  class SignupService {
    constructor(readonly customerio: CustomerIOClient) {}
  }
  @Injectable()
  class BillingService {
    constructor(readonly customerio: CustomerIOClient) {}
  }

  it('forRoot in two modules of one app: one error naming both modules and the two fixes', async () => {
    @Module({ imports: [CustomerIOModule.forRoot(options)], providers: [SignupService] })
    class SignupModule {}
    @Module({ imports: [CustomerIOModule.forRoot(options)], providers: [BillingService] })
    class BillingModule {}
    @Module({ imports: [SignupModule, BillingModule] })
    class AppModule {}

    const error = await bootstrapError(AppModule);
    expect(error.message).toBe(
      'CustomerIOModule.forRoot/forRootAsync is imported 2 times in one application, by SignupModule and BillingModule: ' +
        'each import would make its own client and queue. Import it once: with isGlobal: true in the root module, ' +
        'or in one shared module that re-exports it (exports: [CustomerIOModule]) and is imported where the client is needed',
    );
  });

  it('forRoot and forRootAsync side by side, one of them global, is the same mistake', async () => {
    @Module({ imports: [CustomerIOModule.forRootAsync({ useFactory: () => options })], providers: [BillingService] })
    class BillingModule {}
    @Module({ imports: [CustomerIOModule.forRoot({ ...options, isGlobal: true }), BillingModule] })
    class AppModule {}

    const error = await bootstrapError(AppModule);
    expect(error.message).toMatch(/^CustomerIOModule.forRoot\/forRootAsync is imported 2 times in one application, by (AppModule and BillingModule|BillingModule and AppModule):/);
  });

  it('the bare module (no forRoot): says to call forRoot or forRootAsync, naming the importer', async () => {
    @Module({ imports: [CustomerIOModule], providers: [SignupService] })
    class AppModule {}

    const error = await bootstrapError(AppModule);
    expect(error.message).toBe(
      'CustomerIOModule is imported without options by AppModule: import CustomerIOModule.forRoot({ siteId, apiKey, ... }) ' +
        'or CustomerIOModule.forRootAsync({ useFactory, inject }) once, with isGlobal: true (then other modules need not ' +
        'import it) or in a shared module that re-exports it (exports: [CustomerIOModule])',
    );
    expect(error.message).not.toContain('CUSTOMER_I_O_MODULE_OPTIONS');
  });

  it('the bare module in a feature module beside a global forRoot: names the feature module', async () => {
    @Module({ imports: [CustomerIOModule], providers: [SignupService] })
    class SignupModule {}
    @Module({ imports: [CustomerIOModule.forRoot({ ...options, isGlobal: true }), SignupModule] })
    class AppModule {}

    const error = await bootstrapError(AppModule);
    expect(error.message).toMatch(/^CustomerIOModule is imported without options by SignupModule: import CustomerIOModule.forRoot/);
  });
});

describe('CustomerIOModule imported the right way', () => {
  it('two applications in one process, each with its forRoot, each send to their own target', async () => {
    const [a, b] = await Promise.all([CustomerIOSandbox.start(), CustomerIOSandbox.start()]);
    const apps = await Promise.all(
      [a, b].map((sandbox) => Test.createTestingModule({ imports: [CustomerIOModule.forRoot(sandbox.moduleOptions())] }).compile()),
    );
    try {
      const [clientA, clientB] = apps.map((app) => app.get(CustomerIOClient));
      expect(clientA).not.toBe(clientB);
      await clientA.direct.identify('in-a', {});
      await clientB.direct.identify('in-b', {});
      expect([...a.people.keys()]).toEqual(['in-a']);
      expect([...b.people.keys()]).toEqual(['in-b']);
    } finally {
      await Promise.all(apps.map((app) => app.close()));
      await Promise.all([a.close(), b.close()]);
    }
  });
});
