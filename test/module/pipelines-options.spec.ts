import { inspect } from 'node:util';
import { Logger } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { createServer } from 'node:net';
import { describe, expect, it } from '@jest/globals';
import {
  CustomerIOClient,
  CustomerIOConfigError,
  CustomerIOModule,
  type CustomerIOModuleOptions,
  customerIOOptionsFromConfig,
} from '../../lib/index.js';
import { CUSTOMERIO_RESOLVED_OPTIONS } from '../../lib/customerio.constants.js';
import { resolveCustomerIOOptions } from '../../lib/options/customerio-options.resolver.js';
import type { ResolvedCustomerIOOptions } from '../../lib/options/resolved-options.interface.js';
import { CustomerIOSandbox } from '../../lib/testing/index.js';

// The options of the Pipelines API: `api`, `pipelinesKey`, `pipelinesUrl` and their config variables. Runs on
// customerio-node 4.4 (sdk-v4: `api: 'pipelines'` cannot start) and 5 (pipelines: it starts and sends).

declare const SDK_MAJOR: 4 | 5;
const KEY = 'pk-very-secret-pipelines-key-0123456789';
const PIPELINES: CustomerIOModuleOptions = { api: 'pipelines', pipelinesKey: KEY };

/** The CustomerIOConfigError that `options` fail validation with. */
function validationError(options: Partial<CustomerIOModuleOptions>): CustomerIOConfigError {
  try {
    resolveCustomerIOOptions(options as CustomerIOModuleOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(CustomerIOConfigError);
    expect((error as Error).message).not.toContain(KEY);
    return error as CustomerIOConfigError;
  }
  throw new Error('expected the options to be refused');
}

/** Collects what Nest logs, each argument inspected deeply. */
function captureLogger() {
  const lines: string[] = [];
  const capture = (...args: unknown[]) => void lines.push(args.map((a) => inspect(a, { depth: 10 })).join(' '));
  return {
    lines,
    logger: { log: capture, error: capture, warn: capture, debug: capture, verbose: capture, fatal: capture },
  };
}

describe('the Pipelines API options', () => {
  it('rejects an unknown api, naming CUSTOMERIO_API when it came from there', () => {
    const error = validationError({ ...PIPELINES, api: 'cdp' as 'pipelines' });
    expect(error.option).toBe('api');
    expect(error.message).toBe('CustomerIOModule: option "api" must be "track" or "pipelines", got "cdp"');
    const fromConfig = customerIOOptionsFromConfig({
      get: (key) => ({ CUSTOMERIO_API: 'segment', CUSTOMERIO_PIPELINES_KEY: KEY })[key],
    });
    expect(validationError(fromConfig).message).toMatch(
      /^CustomerIOModule: option "api" \(from CUSTOMERIO_API\) must be/,
    );
  });

  it('api "pipelines" in mode "live" needs pipelinesKey, and not siteId and apiKey', () => {
    for (const pipelinesKey of [undefined, '', '  ']) {
      const error = validationError({ api: 'pipelines', pipelinesKey });
      expect(error.options).toEqual(['pipelinesKey']);
      expect(error.message).toMatch(/option "pipelinesKey" is required/);
    }
    const resolved = resolveCustomerIOOptions(PIPELINES);
    expect(resolved).toMatchObject({ api: 'pipelines', track: undefined, checkRegion: false });
    expect(resolved.pipelinesKey?.reveal()).toBe(KEY);
    expect(resolved.pipelinesUrl).toBe('https://cdp.customer.io');
    expect(resolveCustomerIOOptions({ ...PIPELINES, region: 'eu' }).pipelinesUrl).toBe('https://cdp-eu.customer.io');
    // the other modes run without it
    expect(resolveCustomerIOOptions({ api: 'pipelines', mode: 'disabled' }).api).toBe('pipelines');
  });

  it('with api "pipelines", one of siteId and apiKey alone is refused; both turn the Track API on', () => {
    expect(validationError({ ...PIPELINES, siteId: 'site' }).options).toEqual(['apiKey']);
    expect(validationError({ ...PIPELINES, apiKey: 'track-key' }).options).toEqual(['siteId']);
    expect(resolveCustomerIOOptions({ ...PIPELINES, siteId: 'site', apiKey: 'track-key' }).track).toMatchObject({
      siteId: 'site',
    });
  });

  it('api "track" (the default) still needs siteId and apiKey, whatever pipelinesKey says', () => {
    expect(validationError({ pipelinesKey: KEY }).options).toEqual(['siteId', 'apiKey']);
    expect(validationError({ siteId: 's', apiKey: 'k', pipelinesKey: ' ' }).options).toEqual(['pipelinesKey']);
  });

  it('pipelinesUrl must be an http(s) origin; the module appends /v1', () => {
    expect(validationError({ ...PIPELINES, pipelinesUrl: 'not a url' }).option).toBe('pipelinesUrl');
    expect(validationError({ ...PIPELINES, pipelinesUrl: 'https://u:p@cdp.example' }).option).toBe('pipelinesUrl');
    expect(resolveCustomerIOOptions({ ...PIPELINES, pipelinesUrl: 'http://127.0.0.1:9/' }).pipelinesUrl).toBe(
      'http://127.0.0.1:9',
    );
  });

  it('customerIOOptionsFromConfig reads CUSTOMERIO_API, CUSTOMERIO_PIPELINES_KEY and CUSTOMERIO_PIPELINES_URL; the key prints redacted', () => {
    const env: Record<string, string> = {
      CUSTOMERIO_API: 'pipelines',
      CUSTOMERIO_PIPELINES_KEY: KEY,
      CUSTOMERIO_PIPELINES_URL: 'https://cdp.example.com',
    };
    const options = customerIOOptionsFromConfig({ get: (key) => env[key] });
    expect(options).toMatchObject({ api: 'pipelines', pipelinesUrl: 'https://cdp.example.com' });
    expect(options.pipelinesKey).toBe(KEY); // reading it returns it
    for (const printed of [
      inspect(options),
      JSON.stringify(options),
      inspect({ ...options }),
      JSON.stringify({ ...options }),
    ]) {
      expect(printed).toContain('[redacted]');
      expect(printed).not.toContain(KEY);
    }
    const resolved = resolveCustomerIOOptions(options);
    expect(resolved.pipelinesUrl).toBe('https://cdp.example.com');
    expect(`${inspect(resolved, { depth: 10, showHidden: true })}${JSON.stringify(resolved)}`).not.toContain(KEY);
    const missing = customerIOOptionsFromConfig({ get: (key) => (key === 'CUSTOMERIO_API' ? 'pipelines' : undefined) });
    expect(validationError(missing).message).toBe(
      'CustomerIOModule: option "pipelinesKey" (from CUSTOMERIO_PIPELINES_KEY) is required and must be a non-blank string',
    );
  });

  it(
    SDK_MAJOR === 4
      ? 'starting with api "pipelines" on customerio-node 4.x fails start-up with a CustomerIOConfigError naming "api"'
      : 'starts with api "pipelines" on customerio-node 5, sends with the key, and never logs or prints it',
    async () => {
      const sandbox = await CustomerIOSandbox.start({ pipelinesKey: KEY });
      const { lines, logger } = captureLogger();
      try {
        const options = { ...PIPELINES, pipelinesUrl: sandbox.url, queue: { flushIntervalMs: 60_000 } };
        const started = Test.createTestingModule({ imports: [CustomerIOModule.forRoot(options)] })
          .setLogger(logger)
          .compile();
        if (SDK_MAJOR === 4) {
          const error = await started.then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(error).toBeInstanceOf(CustomerIOConfigError);
          expect(error).toMatchObject({ option: 'api', message: expect.stringMatching(/needs customerio-node 5\.2/) });
          expect(`${inspect(error, { depth: 10 })}${lines.join('\n')}`).not.toContain(KEY);
          expect(sandbox.requests).toEqual([]);
          // In mode 'sandbox' too, start-up fails before the module's own sandbox listens (its port stays free).
          const port = await freePort();
          const local = Test.createTestingModule({
            imports: [CustomerIOModule.forRoot({ mode: 'sandbox', api: 'pipelines', sandbox: { port } })],
          }).compile();
          await expect(local).rejects.toMatchObject({ option: 'api' });
          await new Promise<void>((resolve, reject) => {
            const server = createServer().once('error', reject);
            server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
          });
          return;
        }
        const app = (await started).createNestApplication({ logger });
        await app.init();
        const client = app.get(CustomerIOClient);
        const resolved = app.get<ResolvedCustomerIOOptions>(CUSTOMERIO_RESOLVED_OPTIONS);
        client.identify('u-1', { plan: 'pro' });
        await client.flush();
        await expect(client.direct.track('u-1', 'direct')).resolves.toBeUndefined();
        expect(sandbox.people.get('u-1')?.attributes).toEqual({ plan: 'pro' });
        expect(sandbox.events).toMatchObject([{ name: 'direct', api: 'pipelines' }]);
        const refused = await CustomerIOSandbox.start(); // another key: the error names the status, not the key
        const wrong = await Test.createTestingModule({
          imports: [CustomerIOModule.forRoot({ ...options, pipelinesUrl: refused.url })],
        }).compile();
        const failure = await wrong
          .get(CustomerIOClient)
          .direct.identify('u-2', {})
          .catch((e: unknown) => e);
        await wrong.close();
        await refused.close();
        expect(failure).toMatchObject({ status: 401 });
        Logger.log(client);
        Logger.log(resolved);
        const everything = [
          ...lines,
          inspect(client, { depth: 20, showHidden: true }),
          inspect(resolved, { depth: 20, showHidden: true }),
          JSON.stringify(resolved),
          String(resolved.pipelinesKey),
          inspect(failure, { depth: 10 }),
          String(failure),
        ].join('\n');
        expect(everything).toContain('pipelines');
        expect(everything).not.toContain(KEY);
        await app.close();
      } finally {
        await sandbox.close();
      }
    },
  );
});

/** A port of 127.0.0.1 free a moment ago. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
