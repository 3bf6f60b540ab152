import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Test } from '@nestjs/testing';
import { afterEach, beforeEach } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { CustomerIOClient, CustomerIOModule, type CustomerIOModuleOptions } from '../../lib/index.js';
import { CustomerIOSandbox } from '../../lib/testing/index.js';
import { ReportLog } from './delivery-assertions.js';

/** A started Nest app whose queue sends to `sandbox`, with its hooks recorded. */
export interface QueueApp {
  app: INestApplication;
  client: CustomerIOClient;
  log: ReportLog;
}

/**
 * Boots a Nest app (lifecycle hooks included, so the flush timer runs) with small retry delays.
 * The flush interval is long unless `queue.flushIntervalMs` says otherwise, so tests flush when they mean to.
 */
export async function createQueueApp(
  sandbox: CustomerIOSandbox,
  options: Partial<CustomerIOModuleOptions> = {},
): Promise<QueueApp> {
  const log = new ReportLog();
  const moduleRef = await Test.createTestingModule({
    imports: [
      CustomerIOModule.forRoot({
        ...sandbox.moduleOptions(),
        ...options,
        retry: options.retry === false ? false : { baseDelayMs: 2, maxDelayMs: 20, ...options.retry },
        queue: { flushIntervalMs: 60_000, ...suiteStore(), ...options.queue },
        hooks: log.hooks,
      }),
    ],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return { app, client: app.get(CustomerIOClient), log };
}

/**
 * The store the delivery suite runs on: Jest's `QUEUE_STORE` global (set per project in jest.config.js)
 * names one, so that the same suite runs on every store; unset means the default in-memory store.
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

/** What {@link useQueueSandbox} gives each test: its sandbox, and the queue app it starts (closed after it). */
export interface QueueSandboxContext {
  sandbox: CustomerIOSandbox;
  subject: QueueApp | undefined;
}

/**
 * Registers, in the calling `describe`, a fresh sandbox before each test and, after it, the closing of the
 * app the test put in `subject` and of the sandbox.
 */
export function useQueueSandbox(): QueueSandboxContext {
  const context = {} as QueueSandboxContext;
  beforeEach(async () => {
    context.sandbox = await CustomerIOSandbox.start();
  });
  afterEach(async () => {
    await context.subject?.app.close();
    context.subject = undefined;
    await context.sandbox.close();
  });
  return context;
}
