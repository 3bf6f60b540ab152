import { Injectable, Module, type Type } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CustomerIOClient,
  CustomerIOConfigError,
  CustomerIOModule,
  type CustomerIOModuleOptions,
  type CustomerIOModuleOptionsFactory,
  customerIOOptionsFromConfig,
} from '../../lib/index.js';
import { CUSTOMERIO_MODULE_OPTIONS, CustomerIOSandbox, CustomerIOTestingModule } from '../../lib/testing/index.js';

/** The error compiling an application of `root` fails with (fails the test if it compiles). */
async function bootstrapError(root: Type): Promise<CustomerIOConfigError> {
  const error = await Test.createTestingModule({ imports: [root] })
    .compile()
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(error).toBeInstanceOf(CustomerIOConfigError);
  return error as CustomerIOConfigError;
}

describe('CustomerIOModule', () => {
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
  @Module({ providers: [SignupService], exports: [SignupService] })
  class SignupModule {}
  @Module({ providers: [BillingService], exports: [BillingService] })
  class BillingModule {}

  it('forRoot provides a client that sends to the configured Track API', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [CustomerIOModule.forRoot(options)] }).compile();
    await moduleRef.get(CustomerIOClient).direct.identify('via-forRoot', { a: 1 });
    expect(sandbox.people.get('via-forRoot')?.attributes).toEqual({ a: 1 });
    await moduleRef.close();
  });

  it('forRootAsync reads its options from @nestjs/config', async () => {
    const env = {
      CUSTOMERIO_SITE_ID: sandbox.siteId,
      CUSTOMERIO_API_KEY: sandbox.apiKey,
      CUSTOMERIO_TRACK_URL: sandbox.url,
      CUSTOMERIO_TIMEOUT_MS: '5000',
    };
    const moduleRef = await Test.createTestingModule({
      imports: [
        CustomerIOModule.forRootAsync({
          imports: [ConfigModule.forRoot({ ignoreEnvFile: true, ignoreEnvVars: true, load: [() => env] })],
          inject: [ConfigService],
          useFactory: (config: ConfigService) => customerIOOptionsFromConfig(config),
        }),
      ],
    }).compile();
    const client = moduleRef.get(CustomerIOClient);
    const delivered = client.track('via-config', 'configured').delivered;
    await client.flush();
    await delivered;
    expect(sandbox.events.at(-1)).toMatchObject({ personId: 'via-config', name: 'configured' });
    await moduleRef.close();
  });

  it('forRootAsync takes useClass and useExisting factories', async () => {
    @Injectable()
    class OptionsFactory implements CustomerIOModuleOptionsFactory {
      async createCustomerIOOptions(): Promise<CustomerIOModuleOptions> {
        return options;
      }
    }
    @Module({ providers: [OptionsFactory], exports: [OptionsFactory] })
    class OptionsModule {}

    for (const asyncOptions of [
      { useClass: OptionsFactory },
      { imports: [OptionsModule], useExisting: OptionsFactory },
    ]) {
      const moduleRef = await Test.createTestingModule({
        imports: [CustomerIOModule.forRootAsync(asyncOptions)],
      }).compile();
      await moduleRef.get(CustomerIOClient).direct.identify('via-factory', {});
      await moduleRef.close();
    }
    expect(sandbox.requests.filter((r) => r.path === '/api/v1/customers/via-factory')).toHaveLength(2);
  });

  it('isGlobal: feature modules inject the one client without importing the module', async () => {
    @Module({ imports: [CustomerIOModule.forRoot({ ...options, isGlobal: true }), SignupModule, BillingModule] })
    class AppModule {}
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    const signup = moduleRef.get(SignupService).customerio;
    expect(signup).toBeInstanceOf(CustomerIOClient);
    expect(moduleRef.get(BillingService).customerio).toBe(signup);
    expect(moduleRef.get(CustomerIOClient)).toBe(signup);
    await moduleRef.close();
  });

  it('without isGlobal, a feature module that does not import it cannot inject the client', async () => {
    @Module({ imports: [CustomerIOModule.forRoot(options), SignupModule] })
    class AppModule {}
    await expect(Test.createTestingModule({ imports: [AppModule] }).compile()).rejects.toThrow(/CustomerIOClient/);
  });

  it('one instance across feature modules that import a shared module re-exporting it', async () => {
    @Module({ imports: [CustomerIOModule.forRoot(options)], exports: [CustomerIOModule] })
    class CoreModule {}
    @Module({ imports: [CoreModule], providers: [SignupService], exports: [SignupService] })
    class Signup {}
    @Module({ imports: [CoreModule], providers: [BillingService], exports: [BillingService] })
    class Billing {}
    @Module({ imports: [Signup, Billing] })
    class AppModule {}
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    expect(moduleRef.get(SignupService).customerio).toBe(moduleRef.get(BillingService).customerio);
    await moduleRef.close();
  });

  it('CustomerIOTestingModule wires a global client to an in-process sandbox and closes it with the app', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [CustomerIOTestingModule.forRoot(), SignupModule],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    const own = app.get(CustomerIOSandbox);
    await app.get(SignupService).customerio.track('t-1', 'tested', { ok: true }).delivered;
    expect(own.events).toMatchObject([{ personId: 't-1', name: 'tested', data: { ok: true } }]);
    expect(sandbox.events.some((e) => e.personId === 't-1')).toBe(false);
    await app.close();
    await expect(fetch(`${own.url}/api/v1/customers/x`, { method: 'PUT' })).rejects.toThrow();
  });

  it("an app's own CustomerIOModule can be pointed at a sandbox by overriding its options", async () => {
    @Module({ imports: [CustomerIOModule.forRoot({ siteId: 'real', apiKey: 'real', isGlobal: true }), SignupModule] })
    class AppModule {}
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
      .overrideProvider(CUSTOMERIO_MODULE_OPTIONS)
      .useValue(sandbox.moduleOptions())
      .compile();
    await moduleRef.get(SignupService).customerio.direct.identify('overridden', { z: 1 });
    expect(sandbox.people.get('overridden')?.attributes).toEqual({ z: 1 });
    await moduleRef.close();
  });

  describe('imported the wrong way: bootstrap fails naming the importing modules and the fix', () => {
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
      expect(error.message).toMatch(
        /^CustomerIOModule.forRoot\/forRootAsync is imported 2 times in one application, by (AppModule and BillingModule|BillingModule and AppModule):/,
      );
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
      expect(error.message).toMatch(
        /^CustomerIOModule is imported without options by SignupModule: import CustomerIOModule.forRoot/,
      );
    });
  });

  it('two applications in one process, each with its forRoot, each send to their own target', async () => {
    const [a, b] = await Promise.all([CustomerIOSandbox.start(), CustomerIOSandbox.start()]);
    const apps = await Promise.all(
      [a, b].map((sandbox) =>
        Test.createTestingModule({ imports: [CustomerIOModule.forRoot(sandbox.moduleOptions())] }).compile(),
      ),
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
