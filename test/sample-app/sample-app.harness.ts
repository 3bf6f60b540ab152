import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CUSTOMERIO_SANDBOX, CustomerIOClient } from '../../lib/index.js';
import type { CustomerIOSandbox } from '../../lib/testing/index.js';
import { AppModule } from '../../sample-app/app.module.js';
import { apiRequest } from '../../sample-app/api-request.js';
import { LogCapture } from '../support/log-capture.js';

/** The sample app, started as `main.ts` starts it, listening on 127.0.0.1. */
export interface RunningSample {
  app: INestApplication;
  /** `http://127.0.0.1:PORT` */
  url: string;
  client: CustomerIOClient;
  /** The sandbox the app started, in sandbox mode. */
  sandbox?: CustomerIOSandbox;
  logs: LogCapture;
  /** A JSON request to the app. */
  request(
    method: string,
    path: string,
    options?: { body?: object; token?: string; anonymousId?: string },
  ): Promise<{ status: number; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** Every variable the sample reads that a developer's shell could have set. */
const SAMPLE_VARIABLES = [
  'CUSTOMERIO_API',
  'CUSTOMERIO_SITE_ID',
  'CUSTOMERIO_API_KEY',
  'CUSTOMERIO_APP_API_KEY',
  'CUSTOMERIO_PIPELINES_KEY',
  'CUSTOMERIO_REGION',
  'CUSTOMERIO_TRACK_URL',
  'CUSTOMERIO_APP_API_URL',
  'CUSTOMERIO_PIPELINES_URL',
  'CUSTOMERIO_TIMEOUT_MS',
  'CUSTOMERIO_MODE',
  'USAGE_REPORT_INTERVAL_MS',
  'SANDBOX_MAX_RECORDS',
  'HEALTH_DEGRADED_BACKLOG_AGE_MS',
  'HEALTH_DOWN_BACKLOG_AGE_MS',
];

/**
 * Runs `fn` with exactly `env` of the sample's variables set (the others unset, whatever the shell
 * says), and restores the environment after. The sample reads its configuration while it starts.
 */
export async function withEnv<T>(env: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(SAMPLE_VARIABLES.map((name) => [name, process.env[name]]));
  for (const name of SAMPLE_VARIABLES) delete process.env[name];
  Object.assign(process.env, env);
  try {
    return await fn();
  } finally {
    for (const name of SAMPLE_VARIABLES) delete process.env[name];
    for (const [name, value] of Object.entries(saved)) if (value !== undefined) process.env[name] = value;
  }
}

/** Starts the sample's AppModule with `env` and listens on a free port of 127.0.0.1. */
export async function startSample(env: Record<string, string> = {}, logs = new LogCapture()): Promise<RunningSample> {
  const app = await withEnv(env, async () => {
    const created = await NestFactory.create(AppModule, { logger: logs, abortOnError: false });
    await created.listen(0, '127.0.0.1');
    return created;
  });
  const url = await app.getUrl();
  return {
    app,
    url,
    client: app.get(CustomerIOClient),
    sandbox: app.get<CustomerIOSandbox | null>(CUSTOMERIO_SANDBOX) ?? undefined,
    logs,
    async request(method, path, options) {
      const { status, body } = await apiRequest(url, method, path, options);
      return { status, body };
    },
  };
}
