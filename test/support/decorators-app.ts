import { afterAll, beforeAll } from '@jest/globals';
import type { DynamicModule, INestApplication, LoggerService } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { CustomerIOClient, CustomerIODecoratorTracker, type CustomerIOModuleOptions } from '../../lib/index.js';
import { CustomerIOSandbox, type SandboxEvent } from '../../lib/testing/index.js';

/** A Nest application listening on 127.0.0.1, whose CustomerIOModule sends to its own sandbox. */
export interface HttpApp {
  app: INestApplication;
  sandbox: CustomerIOSandbox;
  client: CustomerIOClient;
  tracker: CustomerIODecoratorTracker;
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** `fetch` against the app. */
  request(
    path: string,
    init?: { method?: string; headers?: Record<string, string>; body?: unknown },
  ): Promise<Response>;
  /** Sends what is queued, then returns the sandbox's events named `name`. */
  flushedEvents(name: string): Promise<SandboxEvent[]>;
  close(): Promise<void>;
}

/** Makes the app's module around the CustomerIOModule options it is given. */
export type AppModuleFactory = (customerio: CustomerIOModuleOptions) => DynamicModule;

/** What `startHttpApp` passes on: CustomerIOModule options over the sandbox's, and the app's logger. */
export interface HttpAppOptions {
  customerio?: Partial<CustomerIOModuleOptions>;
  logger?: LoggerService | false;
}

/**
 * Boots `module(options)` with CustomerIOModule pointed at `sandbox` (a long flush interval unless
 * `customerio.queue` says otherwise, so tests flush when they mean to) and listens on a free port.
 */
export async function startHttpApp(
  sandbox: CustomerIOSandbox,
  module: AppModuleFactory,
  { customerio = {}, logger = false }: HttpAppOptions = {},
): Promise<HttpApp> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      module({ ...sandbox.moduleOptions(), ...customerio, queue: { flushIntervalMs: 60_000, ...customerio.queue } }),
    ],
  }).compile();
  const app = moduleRef.createNestApplication({ logger });
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const client = app.get(CustomerIOClient);
  return {
    app,
    sandbox,
    client,
    tracker: app.get(CustomerIODecoratorTracker),
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
    close: () => app.close(),
  };
}

/**
 * Registers, in the calling `describe`, two apps in one process: `moduleFor('a')` and `moduleFor('b')`, each
 * on a sandbox of its own (`a.sandbox`, `b.sandbox`), started before the block's tests and closed after them.
 */
export function useTwoHttpApps(
  moduleFor: (name: 'a' | 'b') => AppModuleFactory,
  options?: HttpAppOptions,
): { a: HttpApp; b: HttpApp } {
  const apps = {} as { a: HttpApp; b: HttpApp };
  let sandboxes: CustomerIOSandbox[] = [];
  beforeAll(async () => {
    sandboxes = await Promise.all([CustomerIOSandbox.start(), CustomerIOSandbox.start()]);
    apps.a = await startHttpApp(sandboxes[0], moduleFor('a'), options);
    apps.b = await startHttpApp(sandboxes[1], moduleFor('b'), options);
  });
  afterAll(async () => {
    await apps.a?.close();
    await apps.b?.close();
    for (const sandbox of sandboxes) await sandbox.close();
  });
  return apps;
}
