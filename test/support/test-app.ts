import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach } from '@jest/globals';
import type { DynamicModule, INestApplication, LoggerService } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  CustomerIOClient,
  type CustomerIODirectClient,
  CustomerIOModule,
  type CustomerIOModuleOptions,
} from '../../lib/index.js';
import { CustomerIOSandbox, type CustomerIOSandboxOptions, type SandboxEvent } from '../../lib/testing/index.js';
import { ReportLog } from './delivery-assertions.js';

/** How {@link startTestApp} boots an app. */
export interface TestAppSetup {
  /** The sandbox the app sends to. @default a new sandbox, closed with the app */
  sandbox?: CustomerIOSandbox;
  /** CustomerIOModule options, over the sandbox's (`sandbox.moduleOptions()`). @default none */
  options?: Partial<CustomerIOModuleOptions>;
  /**
   * The app's module, around the CustomerIOModule options (it imports CustomerIOModule with them, beside its
   * controllers and providers). @default `CustomerIOModule.forRoot(options)`
   */
  module?: (options: CustomerIOModuleOptions) => DynamicModule;
  /** Listens on a free port of 127.0.0.1 (`url`, `request`); otherwise only initializes the app. @default false */
  http?: boolean;
  /** The app's logger. @default false */
  logger?: LoggerService | false;
  /** The queue sends only on `flush()`: a 60 s flush interval unless `options.queue.flushIntervalMs` says otherwise. @default false */
  flushWhenAsked?: boolean;
  /** Retries after 2 to 20 ms unless `options.retry` sets the delays (or is `false`). @default false */
  quickRetries?: boolean;
}

/** A started Nest app whose CustomerIOModule sends to `sandbox`. */
export interface TestApp {
  app: INestApplication;
  sandbox: CustomerIOSandbox;
  /** The queue-first client. */
  client: CustomerIOClient;
  /** The awaitable path (`client.direct`). */
  direct: CustomerIODirectClient;
  /** What the queue reported through its hooks (empty when `options.hooks` were given). */
  log: ReportLog;
  /** `http://127.0.0.1:PORT` (`http: true` only). */
  url: string;
  /** `fetch` against the app (`http: true` only); a `body` is sent as JSON. */
  request(
    path: string,
    init?: { method?: string; headers?: Record<string, string>; body?: unknown },
  ): Promise<Response>;
  /** Sends what is queued, then returns the sandbox's events named `name`. */
  flushedEvents(name: string): Promise<SandboxEvent[]>;
  /** Closes the app, and the sandbox if it started it; a second call waits for the first. */
  close(): Promise<void>;
}

/**
 * Boots a real Nest app (lifecycle hooks included, so the flush timer runs) with CustomerIOModule pointed at
 * the sandbox, the queue on the suite's store (see {@link suiteStore}).
 */
export async function startTestApp(setup: TestAppSetup = {}): Promise<TestApp> {
  const { options = {}, module = (resolved) => CustomerIOModule.forRoot(resolved), http = false } = setup;
  const sandbox = setup.sandbox ?? (await CustomerIOSandbox.start());
  const log = new ReportLog();
  const retry =
    setup.quickRetries && options.retry !== false
      ? { baseDelayMs: 2, maxDelayMs: 20, ...options.retry }
      : options.retry;
  const moduleOptions: CustomerIOModuleOptions = {
    ...sandbox.moduleOptions(),
    api: suiteApi(),
    ...options,
    ...(retry !== undefined && { retry }),
    queue: { ...(setup.flushWhenAsked && { flushIntervalMs: 60_000 }), ...suiteStore(), ...options.queue },
    hooks: options.hooks ?? log.hooks,
  };
  let app: INestApplication | undefined;
  try {
    const moduleRef = await Test.createTestingModule({ imports: [module(moduleOptions)] }).compile();
    app = moduleRef.createNestApplication({ logger: setup.logger ?? false });
    if (http) await app.listen(0, '127.0.0.1');
    else await app.init();
  } catch (error) {
    if (!setup.sandbox) await sandbox.close();
    throw error;
  }
  const url = http ? (await app.getUrl()).replace('[::1]', '127.0.0.1') : '';
  const client = app.get(CustomerIOClient);
  let closed: Promise<void> | undefined;
  return {
    app,
    sandbox,
    client,
    direct: client.direct,
    log,
    url,
    request: (path, init = {}) =>
      fetch(`${url}${path}`, {
        method: init.method ?? 'GET',
        headers: { ...(init.body !== undefined && { 'content-type': 'application/json' }), ...init.headers },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      }),
    async flushedEvents(name) {
      await client.flush();
      return sandbox.events.filter((event) => event.name === name);
    },
    close: () =>
      (closed ??= (async () => {
        await app.close();
        if (!setup.sandbox) await sandbox.close();
      })()),
  };
}

/**
 * The API the suite's apps send to: Jest's `CUSTOMERIO_API` global (set per project in jest.config.js) names it, so
 * that the same suites run on both APIs; unset means the default, the Track API.
 */
export function suiteApi(): 'track' | 'pipelines' {
  return (globalThis as { CUSTOMERIO_API?: 'pipelines' }).CUSTOMERIO_API ?? 'track';
}

/** What differs by API in what the suites assert: paths, and the options naming the API's key and origin. */
export const suiteWire = {
  /** Path of a batch request: `/api/v2/batch` (Track) or `/v1/batch` (Pipelines). */
  batchPath: () => (suiteApi() === 'pipelines' ? '/v1/batch' : '/api/v2/batch'),
  /**
   * Path of the request of an anonymous event: its own `/api/v1/events` on the Track API (v2 has no anonymous
   * event), the batch on the Pipelines API.
   */
  anonymousEventPath: () => (suiteApi() === 'pipelines' ? '/v1/batch' : '/api/v1/events'),
  /** Path of a direct identify of `personId`: `/api/v1/customers/{id}` (Track) or `/v1/identify` (Pipelines). */
  identifyPath: (personId: string) =>
    suiteApi() === 'pipelines' ? '/v1/identify' : `/api/v1/customers/${encodeURIComponent(personId)}`,
  /** Path of a direct event of `personId`: `/api/v1/customers/{id}/events` (Track) or `/v1/track` (Pipelines). */
  eventPath: (personId: string) =>
    suiteApi() === 'pipelines' ? '/v1/track' : `/api/v1/customers/${encodeURIComponent(personId)}/events`,
  /** A 400 answer's body naming `message`, as the suite API writes it. */
  batchErrorBody: (message: string): unknown =>
    suiteApi() === 'pipelines' ? { meta: { errors: [message] } } : { errors: [{ reason: 'invalid', message }] },
  /** Options replacing the suite API's key with `key` (a key the sandbox refuses). */
  keyOption: (key: string): Partial<CustomerIOModuleOptions> =>
    suiteApi() === 'pipelines' ? { pipelinesKey: key } : { apiKey: key },
  /** Options pointing the suite API at `url`. */
  urlOption: (url: string): Partial<CustomerIOModuleOptions> =>
    suiteApi() === 'pipelines' ? { pipelinesUrl: url } : { trackUrl: url },
} as const;

/**
 * The store the queue runs on: Jest's `QUEUE_STORE` global (set per project in jest.config.js) names one, so
 * that the same suites run on every store; unset means the default in-memory store.
 */
function suiteStore(): Partial<CustomerIOModuleOptions['queue']> {
  switch ((globalThis as { QUEUE_STORE?: string }).QUEUE_STORE) {
    case 'sqlite':
      return { store: 'sqlite', sqlite: { path: join(mkdtempSync(join(tmpdir(), 'cio-suite-')), 'queue.db') } };
    case 'redis':
      return {
        store: 'redis',
        redis: {
          url: process.env.REDIS_URL || 'redis://127.0.0.1:6379',
          prefix: `cio-suite-${randomBytes(6).toString('hex')}`,
        },
      };
    default:
      return {};
  }
}

/** How {@link useTestApp} sets up its sandbox and apps. */
export interface TestAppFixtureSetup extends Omit<TestAppSetup, 'sandbox'> {
  /** A sandbox (and apps) for each test, or one for the whole `describe`. @default 'each' */
  scope?: 'each' | 'all';
  /** Options of the fixture's sandbox. @default the sandbox's defaults */
  sandbox?: CustomerIOSandboxOptions;
  /** Starts `subject` with the fixture's setup when the sandbox starts; otherwise tests call `start`. @default false */
  started?: boolean;
}

/** What {@link useTestApp} gives the tests of its `describe`; its fields are set once its `before` hook ran. */
export interface TestAppFixture {
  sandbox: CustomerIOSandbox;
  /** The app the fixture started (`started: true`), or one a test put here; unset before. */
  subject: TestApp;
  /** Starts an app on the fixture's sandbox with the fixture's setup, `options` over its options. */
  start(options?: Partial<CustomerIOModuleOptions>): Promise<TestApp>;
}

/**
 * Registers, in the calling `describe`, a sandbox started before each test (`scope: 'each'`) or before its tests
 * (`'all'`), and the closing, after them, of every app started through the fixture and of the sandbox.
 */
export function useTestApp(fixtureSetup: TestAppFixtureSetup = {}): TestAppFixture {
  const { scope = 'each', sandbox: sandboxOptions, started = false, ...appSetup } = fixtureSetup;
  const apps: TestApp[] = [];
  const fixture: TestAppFixture = {
    sandbox: undefined as unknown as CustomerIOSandbox,
    subject: undefined as unknown as TestApp,
    async start(options = {}) {
      const app = await startTestApp({
        ...appSetup,
        sandbox: fixture.sandbox,
        options: { ...appSetup.options, ...options },
      });
      apps.push(app);
      return app;
    },
  };
  const open = async (): Promise<void> => {
    fixture.sandbox = await CustomerIOSandbox.start(sandboxOptions);
    if (started) fixture.subject = await fixture.start();
  };
  const close = async (): Promise<void> => {
    for (const app of [fixture.subject, ...apps.splice(0)]) await app?.close();
    fixture.subject = undefined as unknown as TestApp;
    await fixture.sandbox?.close();
  };
  if (scope === 'each') {
    beforeEach(open);
    afterEach(close);
  } else {
    beforeAll(open);
    afterAll(close);
  }
  return fixture;
}

/** The rejection of `promise` (fails the test if it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the promise to reject, but it resolved');
}

/** The setup of the queue's suites: the queue sends when flushed, and retries within milliseconds. */
export const QUEUE_SUITE_SETUP = { flushWhenAsked: true, quickRetries: true } as const satisfies TestAppSetup;

/**
 * Starts a sandbox before the tests of the enclosing block (`'all'`: once, `'each'`: before each test), hands it to
 * `use`, and closes it after them.
 */
export function useSandbox(
  scope: 'all' | 'each',
  use: (sandbox: CustomerIOSandbox) => void,
  options?: CustomerIOSandboxOptions,
): void {
  let sandbox: CustomerIOSandbox | undefined;
  (scope === 'each' ? beforeEach : beforeAll)(async () => use((sandbox = await CustomerIOSandbox.start(options))));
  (scope === 'each' ? afterEach : afterAll)(async () => {
    await sandbox?.close();
  });
}
