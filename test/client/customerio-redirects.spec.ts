import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { CustomerIOHttpError } from '../../lib/index.js';
import { CustomerIOSdkAdapter } from '../../lib/transport/customerio-sdk.adapter.js';
import { CustomerIOSandbox } from '../../lib/testing/index.js';
import { rejectionOf, startTestApp, type TestApp } from '../support/test-app.js';
import { type RedirectTrap, startRedirectTrap } from '../support/redirect-trap.js';

declare const SDK_MAJOR: 4 | 5;

describe(`Redirects over customerio-node ${SDK_MAJOR}.x: never followed, so the API keys never reach another host`, () => {
  let sandbox: CustomerIOSandbox;
  let trap: RedirectTrap | undefined;
  let subject: TestApp | undefined;

  beforeAll(async () => {
    sandbox = await CustomerIOSandbox.start();
  });
  afterEach(async () => {
    await subject?.app.close();
    await trap?.close();
    subject = trap = undefined;
  });
  afterAll(() => sandbox.close());

  /** An app whose Track and App API URLs both answer `status` with a Location on another host; retries on. */
  async function redirectedApp(status: number): Promise<{ trap: RedirectTrap; subject: TestApp }> {
    trap = await startRedirectTrap(status);
    subject = await startTestApp({
      sandbox,
      options: {
        trackUrl: trap.url,
        appApiUrl: trap.url,
        timeout: 500,
        retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
      },
    });
    return { trap, subject };
  }

  /** The call failed with a non-retryable 3xx naming the other host (not the Location's query), and nothing got there. */
  function expectRefused(error: Error, status: number, { otherHost, locationQuery, elsewhere }: RedirectTrap): void {
    expect(elsewhere).toEqual([]);
    expect(error).toBeInstanceOf(CustomerIOHttpError);
    expect(error).toMatchObject({ status, retryable: false });
    expect(error.message).toContain(`${status}`);
    expect(error.message).toContain(otherHost);
    const printed = `${String(error)} ${JSON.stringify(error)} ${error.stack ?? ''}`;
    for (const secret of [locationQuery, sandbox.apiKey, sandbox.appApiKey]) expect(printed).not.toContain(secret);
  }

  it.each([301, 302, 303, 307, 308])(
    'a %i to another host fails a Track API call at once; the other host receives nothing',
    async (status) => {
      const { trap, subject } = await redirectedApp(status);
      expectRefused(await rejectionOf(subject.direct.identify('u-1', { plan: 'pro' })), status, trap);
      expectRefused(await rejectionOf(subject.direct.track('u-1', 'signed_up', { plan: 'pro' })), status, trap);
      expect(trap.redirected.map((r) => r.method)).toEqual(['PUT', 'POST']); // one request each: not retried
    },
  );

  it('a 307 fails an App API call (Bearer key) the same way', async () => {
    const { trap, subject } = await redirectedApp(307);
    const error = await rejectionOf(
      subject.direct.sendEmail({ to: 'a@example.com', identifiers: { id: 'u-1' }, transactional_message_id: 3 }),
    );
    expectRefused(error, 307, trap);
    expect(trap.redirected).toEqual([
      { method: 'POST', path: '/v1/send/email', authorization: `Bearer ${sandbox.appApiKey}` },
    ]);
  });

  it('a 308 fails a v2 batch POST the same way', async () => {
    const { trap, subject } = await redirectedApp(308);
    const batch = JSON.stringify({
      batch: [{ type: 'person', identifiers: { id: 'u-1' }, action: 'identify', attributes: {} }],
    });
    expectRefused(await rejectionOf(subject.app.get(CustomerIOSdkAdapter).postV2('batch', batch)), 308, trap);
    expect(trap.redirected).toHaveLength(1);
  });
});
