import { inspect } from 'node:util';
import { Injectable, Logger, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import { describe, expect, it } from '@jest/globals';
import {
  CustomerIOClient,
  CustomerIOConfigError,
  CustomerIOModule,
  type CustomerIOModuleOptions,
  customerIOOptionsFromConfig,
} from '../../lib/index.js';
import { CUSTOMERIO_RESOLVED_OPTIONS } from '../../lib/customerio.constants.js';
import type { ResolvedCustomerIOOptions } from '../../lib/options/resolved-options.interface.js';

const SECRET = 'sk-very-secret-key-0123456789';
const valid: CustomerIOModuleOptions = { siteId: 'site', apiKey: SECRET };

/** Compiles a module that imports CustomerIOModule.forRoot(options) and returns the bootstrap error. */
async function bootstrapError(options: Partial<CustomerIOModuleOptions>): Promise<CustomerIOConfigError> {
  const error = await Test.createTestingModule({
    imports: [CustomerIOModule.forRoot(options as CustomerIOModuleOptions)],
  })
    .compile()
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(error).toBeInstanceOf(CustomerIOConfigError);
  return error as CustomerIOConfigError;
}

describe('CustomerIOModule options are validated at bootstrap', () => {
  it.each([
    ['siteId', { apiKey: SECRET }, /option "siteId" is required/],
    ['siteId', { siteId: '   ', apiKey: SECRET }, /option "siteId" is required/],
    ['apiKey', { siteId: 'site' }, /option "apiKey" is required/],
    ['apiKey', { siteId: 'site', apiKey: '' }, /option "apiKey" is required/],
    ['appApiKey', { ...valid, appApiKey: ' ' }, /option "appApiKey" is required/],
    ['region', { ...valid, region: 'ap' as 'us' }, /option "region" must be "us" or "eu", got "ap"/],
    ['trackUrl', { ...valid, trackUrl: 'not a url' }, /option "trackUrl" must be an absolute http\(s\) URL/],
    ['trackUrl', { ...valid, trackUrl: 'ftp://example.com' }, /option "trackUrl" must be an absolute http\(s\) URL/],
    [
      'appApiUrl',
      { ...valid, appApiUrl: 'https://user:pw@example.com' },
      /option "appApiUrl" must be an absolute http\(s\) URL/,
    ],
    ['timeout', { ...valid, timeout: 0 }, /option "timeout" must be a positive, finite number/],
    ['timeout', { ...valid, timeout: -5 }, /option "timeout" must be a positive, finite number/],
    ['timeout', { ...valid, timeout: Number.NaN }, /option "timeout" must be a positive, finite number/],
    [
      'queue.maxBatchBytes',
      { ...valid, queue: { maxBatchBytes: 600_000 } },
      /"queue.maxBatchBytes" must be an integer from 1024 to 500000, got 600000/,
    ],
    [
      'queue.maxInFlight',
      { ...valid, queue: { maxInFlight: 0 } },
      /"queue.maxInFlight" must be an integer from 1 to 64/,
    ],
    ['queue.maxQueueSize', { ...valid, queue: { maxQueueSize: 1.5 } }, /"queue.maxQueueSize" must be an integer >= 1/],
    [
      'queue.overflow',
      { ...valid, queue: { overflow: 'drop-newest' as 'reject' } },
      /"queue.overflow" must be "reject" or "drop-oldest"/,
    ],
    ['queue', { ...valid, queue: 5 as never }, /option "queue" must be an object/],
    [
      'retry.maxAttempts',
      { ...valid, retry: { maxAttempts: 0 } },
      /"retry.maxAttempts" must be an integer >= 1, got 0/,
    ],
    [
      'retry.circuitBreaker.threshold',
      { ...valid, retry: { circuitBreaker: { threshold: -1 } } },
      /"retry.circuitBreaker.threshold"/,
    ],
    [
      'interceptors',
      { ...valid, interceptors: [{}] as never },
      /"interceptors" must be an array of objects with intercept\(\)/,
    ],
    [
      'decorators.person',
      { ...valid, decorators: { person: 'user.id' as never } },
      /"decorators.person" must be a function of the request/,
    ],
  ])('rejects a bad %s', async (option, options, message) => {
    const error = await bootstrapError(options);
    expect(error.option).toBe(option);
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain(SECRET);
  });

  it('reports every bad option in one error, the config variable of each included (forRootAsync + ConfigService)', async () => {
    const load = () => ({ CUSTOMERIO_SITE_ID: 'site', CUSTOMERIO_TIMEOUT_MS: 'soon' });
    const error = await Test.createTestingModule({
      imports: [
        CustomerIOModule.forRootAsync({
          imports: [ConfigModule.forRoot({ ignoreEnvFile: true, ignoreEnvVars: true, load: [load] })],
          inject: [ConfigService],
          useFactory: (config: ConfigService) => customerIOOptionsFromConfig(config),
        }),
      ],
    })
      .compile()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(CustomerIOConfigError);
    expect((error as Error).message).toBe(
      'CustomerIOModule: 2 options are invalid:\n' +
        '  - option "apiKey" (from CUSTOMERIO_API_KEY) is required and must be a non-blank string\n' +
        '  - option "timeout" (from CUSTOMERIO_TIMEOUT_MS) must be a positive, finite number of milliseconds, got NaN',
    );
    expect((error as CustomerIOConfigError).options).toEqual(['apiKey', 'timeout']);
  });

  it('reports every bad option of forRoot in one error, in the order of the options table', async () => {
    const error = await bootstrapError({
      region: 'ap' as 'us',
      queue: { maxInFlight: 65, overflow: 'newest' as 'reject' },
      mode: 'live',
    });
    expect(error.option).toBe('siteId');
    expect(error.options).toEqual(['siteId', 'apiKey', 'region', 'queue.overflow', 'queue.maxInFlight']);
    const lines = error.message.split('\n');
    expect(lines[0]).toBe('CustomerIOModule: 5 options are invalid:');
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(/^ {2}- option "siteId" is required/),
      expect.stringMatching(/^ {2}- option "apiKey" is required/),
      expect.stringMatching(/^ {2}- option "region" must be "us" or "eu"/),
      expect.stringMatching(/^ {2}- option "queue.overflow" must be "reject" or "drop-oldest"/),
      expect.stringMatching(/^ {2}- option "queue.maxInFlight" must be an integer from 1 to 64, got 65/),
    ]);
  });

  it('rejects an unknown mode, naming CUSTOMERIO_MODE when it came from there', async () => {
    expect((await bootstrapError({ ...valid, mode: 'test' as 'live' })).message).toBe(
      'CustomerIOModule: option "mode" must be "live", "sandbox" or "disabled", got "test"',
    );
    const options = customerIOOptionsFromConfig({
      get: (key) => ({ CUSTOMERIO_MODE: 'off', CUSTOMERIO_SITE_ID: 's', CUSTOMERIO_API_KEY: 'k' })[key],
    });
    expect((await bootstrapError(options)).message).toMatch(
      /^CustomerIOModule: option "mode" \(from CUSTOMERIO_MODE\) must be/,
    );
  });

  it('mode "live" (the default) still needs both credentials at start-up', async () => {
    for (const options of [{}, { mode: 'live' as const }]) {
      const error = await bootstrapError(options);
      expect(error.options).toEqual(['siteId', 'apiKey']);
    }
  });

  it('the keys of a valid app never show in logs, JSON or inspect output of the client and its options', async () => {
    const lines: string[] = [];
    const capture = (...args: unknown[]) => void lines.push(args.map((a) => inspect(a, { depth: 10 })).join(' '));
    const logger = { log: capture, error: capture, warn: capture, debug: capture, verbose: capture, fatal: capture };

    @Injectable()
    class Holder {
      constructor(readonly client: CustomerIOClient) {}
    }
    @Module({ imports: [CustomerIOModule.forRoot({ ...valid, appApiKey: `${SECRET}-app` })], providers: [Holder] })
    class AppModule {}

    const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
      .setLogger(logger)
      .compile();
    const app = moduleRef.createNestApplication({ logger });
    await app.init();
    const client = app.get(CustomerIOClient);
    const resolved = app.get<ResolvedCustomerIOOptions>(CUSTOMERIO_RESOLVED_OPTIONS);
    Logger.log(client);
    Logger.log(resolved);
    const everything = [
      ...lines,
      inspect(client, { depth: 20, showHidden: true }),
      inspect(app.get(Holder), { depth: 20 }),
      inspect(resolved, { depth: 20, showHidden: true }),
      JSON.stringify(resolved),
      String(resolved.track?.apiKey),
    ].join('\n');
    expect(everything).toContain('site');
    expect(everything).not.toContain(SECRET);
    await app.close();
  });
});
