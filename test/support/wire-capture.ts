import { CustomerIOSandbox } from '../../lib/testing/index.js';
import { type CapturedRequest, type CaptureProxy, startCaptureProxy } from './capture-proxy.js';
import { startTestApp, type TestApp } from './test-app.js';

/** A sandbox, a capture proxy in front of it, and a Nest app whose module sends through the proxy. */
export interface WireCapture {
  sandbox: CustomerIOSandbox;
  proxy: CaptureProxy;
  subject: TestApp;
  /** Every v2 operation the queue sent since the last reset, in order, from the batch bodies. */
  batchedOperations(): Record<string, unknown>[];
  /** Forgets what the sandbox and the proxy recorded. */
  reset(): void;
  close(): Promise<void>;
}

/** Starts the sandbox, the proxy and the app (retries off, a long flush interval: tests flush when they mean to). */
export async function startWireCapture(): Promise<WireCapture> {
  const sandbox = await CustomerIOSandbox.start();
  const proxy = await startCaptureProxy(sandbox.url);
  const subject = await startTestApp({
    sandbox,
    options: {
      trackUrl: proxy.url,
      appApiUrl: proxy.url,
      retry: false,
      queue: { flushIntervalMs: 60_000 },
    },
  });
  return {
    sandbox,
    proxy,
    subject,
    batchedOperations: () =>
      proxy.requests
        .filter((request) => request.path === '/api/v2/batch')
        .flatMap((request) => (request.body as { batch: Record<string, unknown>[] }).batch),
    reset: () => {
      sandbox.reset();
      proxy.requests.length = 0;
    },
    close: async () => {
      await subject.app.close();
      await proxy.close();
      await sandbox.close();
    },
  };
}

/** The last request the proxy saw to a path starting with `prefix`. */
export function lastTo(requests: CapturedRequest[], prefix: string): CapturedRequest {
  const found = requests.filter((request) => request.path.startsWith(prefix)).at(-1);
  if (!found)
    throw new Error(
      `no request to ${prefix}; saw ${requests.map((r) => `${r.method} ${r.path}`).join(', ') || 'none'}`,
    );
  return found;
}
