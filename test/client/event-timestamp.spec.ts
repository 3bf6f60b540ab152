import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CustomerIOSandbox } from '../../lib/testing/index.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** Unix seconds now. */
const nowSeconds = (): number => Math.floor(Date.now() / 1000);

describe('the timestamp of an event sent without one', () => {
  let sandbox: CustomerIOSandbox;
  let subject: TestApp;

  beforeAll(async () => {
    sandbox = await CustomerIOSandbox.start();
    subject = await startTestApp({ sandbox, options: { retry: false } });
  });
  afterAll(async () => {
    await subject.app.close();
    await sandbox.close();
  });
  /** The events the sandbox recorded for these people (or anonymous ids), each test using its own. */
  const eventsOf = (...ids: string[]) =>
    sandbox.events.filter((event) => ids.includes(event.personId ?? event.anonymousId ?? ''));

  it('is the time of the call on the queued path, not the time its batch leaves', async () => {
    const before = nowSeconds();
    const delivered = [
      subject.client.track('u-1', 'signed_up', { plan: 'pro' }).delivered,
      subject.client.trackAnonymous('anon-1', 'viewed_pricing').delivered,
      subject.client.trackPageView('u-1', '/pricing').delivered,
    ];
    const after = nowSeconds();
    // NOTE: the batch leaves on the flush interval (1 s), so a timestamp taken when it leaves would be past `after`.
    await Promise.all(delivered);

    expect(eventsOf('u-1', 'anon-1')).toHaveLength(3);
    for (const event of eventsOf('u-1', 'anon-1')) {
      expect(event.timestamp).toBeGreaterThanOrEqual(before);
      expect(event.timestamp).toBeLessThanOrEqual(after);
    }
  });

  it('is the time of the call on the direct path too, sent with the event', async () => {
    const before = nowSeconds();
    await subject.direct.track('u-2', 'signed_up', { plan: 'pro' });
    await subject.direct.trackAnonymous('anon-2', 'viewed_pricing');
    await subject.direct.trackPageView('u-2', '/pricing');
    const after = nowSeconds();

    expect(eventsOf('u-2', 'anon-2')).toHaveLength(3);
    for (const event of eventsOf('u-2', 'anon-2')) {
      expect(event.timestamp).toBeGreaterThanOrEqual(before);
      expect(event.timestamp).toBeLessThanOrEqual(after);
    }
  });

  it('is the one given when the call gives one, on both paths', async () => {
    await subject.client.track('u-3', 'signed_up', { plan: 'pro' }, { timestamp: new Date(1_700_000_000_000) })
      .delivered;
    await subject.direct.track('u-3', 'logged_in', {}, { timestamp: 1_700_000_100 });
    expect(eventsOf('u-3').map((event) => event.timestamp)).toEqual([1_700_000_000, 1_700_000_100]);
  });
});
