import { Injectable, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CustomerIOClient,
  CustomerIOModule,
  type CustomerIOModuleOptions,
  customerIOOptionsFromConfig,
} from '../../lib/index.js';
import { CUSTOMERIO_MODULE_OPTIONS, CustomerIOSandbox, CustomerIOTestingModule } from '../../lib/testing/index.js';

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
    class OptionsFactory {
      createCustomerIOOptions(): CustomerIOModuleOptions {
        return options;
      }
    }
    @Module({ providers: [OptionsFactory], exports: [OptionsFactory] })
    class OptionsModule {}

    for (const asyncOptions of [{ useClass: OptionsFactory }, { imports: [OptionsModule], useExisting: OptionsFactory }]) {
      const moduleRef = await Test.createTestingModule({ imports: [CustomerIOModule.forRootAsync(asyncOptions)] }).compile();
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
    const moduleRef = await Test.createTestingModule({ imports: [CustomerIOTestingModule.forRoot(), SignupModule] }).compile();
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
});
