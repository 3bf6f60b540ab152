import type { DynamicModule, INestApplication, LoggerService } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { CustomerIOClient, CustomerIODecoratorTracker, type CustomerIOModuleOptions } from '../../lib/index.js';
import type { CustomerIOSandbox, SandboxEvent } from '../../lib/testing/index.js';

/** A Nest application listening on 127.0.0.1, whose CustomerIOModule sends to its own sandbox. */
export interface HttpApp {
  app: INestApplication;
  sandbox: CustomerIOSandbox;
  client: CustomerIOClient;
  tracker: CustomerIODecoratorTracker;
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** `fetch` against the app. */
  request(path: string, init?: { method?: string; headers?: Record<string, string>; body?: unknown }): Promise<Response>;
  /** Sends what is queued, then returns the sandbox's events named `name`. */
  flushedEvents(name: string): Promise<SandboxEvent[]>;
  close(): Promise<void>;
}

/**
 * Boots `module(options)` with CustomerIOModule pointed at `sandbox` (a long flush interval unless
 * `customerio.queue` says otherwise, so tests flush when they mean to) and listens on a free port.
 */
export async function startHttpApp(
  sandbox: CustomerIOSandbox,
  module: (customerio: CustomerIOModuleOptions) => DynamicModule,
  { customerio = {}, logger = false }: { customerio?: Partial<CustomerIOModuleOptions>; logger?: LoggerService | false } = {},
): Promise<HttpApp> {
  const moduleRef = await Test.createTestingModule({
    imports: [module({ ...sandbox.moduleOptions(), ...customerio, queue: { flushIntervalMs: 60_000, ...customerio.queue } })],
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
