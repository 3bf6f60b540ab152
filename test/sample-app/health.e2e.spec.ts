// The sample app's /health (terminus and CustomerIOHealthIndicator) through a scripted outage of its sandbox, driven by
// `npm run drive` as a user would: up, degraded then down as the backlog ages while Customer.io answers 503, and up
// again once it recovers and the queue delivers what it held.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { CustomerIOSandbox } from '../../lib/testing/index.js';
import { type RunningSample, startSample } from './sample-app.harness.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('the sample app /health', () => {
  let sample: RunningSample;
  let sandbox: CustomerIOSandbox;
  beforeAll(async () => {
    sample = await startSample({
      USAGE_REPORT_INTERVAL_MS: '600000',
      HEALTH_DEGRADED_BACKLOG_AGE_MS: '300',
      HEALTH_DOWN_BACKLOG_AGE_MS: '1200',
    });
    sandbox = sample.sandbox!;
  });
  afterAll(async () => {
    sandbox.clearFaults();
    await sample.app.close();
  }, 15_000);

  /** GET /health: the HTTP status, the overall status and the customerio entry. */
  async function health(): Promise<{ http: number; status: string; customerio: Record<string, unknown> }> {
    const { status, body } = await sample.request('GET', '/health');
    return { http: status, status: body.status, customerio: body.details.customerio };
  }

  /** Polls /health until its customerio entry has `state`, for at most `timeoutMs`. */
  async function until(state: string, timeoutMs: number) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const answer = await health();
      if (answer.customerio.status === state || Date.now() > deadline) return answer;
      await sleep(50);
    }
  }

  it('is up, turns degraded then down through an outage, and up again once Customer.io answers', async () => {
    expect(await health()).toMatchObject({
      http: 200,
      status: 'ok',
      customerio: { status: 'up', queued: 0, circuit: 'closed', store: 'memory' },
    });

    sandbox.respondWith(503);
    // `npm run drive` builds the sample's scripts, then signs Ada and Grace up and uses features while Customer.io
    // answers 503; /health is read as it goes.
    const drive = promisify(execFile)('npm', ['run', 'drive', '--silent'], {
      env: { ...process.env, BASE_URL: sample.url },
    });

    const degraded = await until('degraded', 60_000);
    expect(degraded).toMatchObject({ http: 200, status: 'degraded' });
    expect(degraded.customerio.reasons).toContainEqual(expect.stringMatching(/^oldest operation queued \d+ ms ago$/));

    const down = await until('down', 5_000);
    expect(down).toMatchObject({ http: 503, status: 'error' });
    expect(down.customerio.oldestQueuedAgeMs).toBeGreaterThanOrEqual(1200);
    expect((await drive).stdout).toMatch(/Ada signs up \(free\)\s+POST \/signup\s+→ 201/);

    sandbox.clearFaults();
    const up = await until('up', 20_000);
    expect(up).toMatchObject({ http: 200, status: 'ok', customerio: { queued: 0, circuit: 'closed' } });
    expect(sandbox.people.get('user-1')?.attributes.email).toBe('ada@example.com');
    expect(sandbox.events.filter((event) => event.name === 'signed_up')).toHaveLength(2); // Ada, Grace
  }, 90_000);

  it('is linked from the sandbox page, beside /metrics', async () => {
    const response = await fetch(`${sample.url}/customerio`);
    const page = await response.text();
    expect(page).toContain('<a href="/health">health</a>');
    expect(page).toContain('<a href="/metrics">metrics</a>');
  });
});
