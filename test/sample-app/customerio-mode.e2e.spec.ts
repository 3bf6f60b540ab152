// The sample app with Customer.io credentials: it starts no sandbox and sends to Customer.io, played
// here by a CustomerIOSandbox of the test's own that accepts only those credentials.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CustomerIOConfigError } from '../../lib/index.js';
import { CustomerIOSandbox } from '../../lib/testing/index.js';
import { LogCapture } from '../support/log-capture.js';
import { type RunningSample, startSample } from './sample-app.harness.js';

describe('sample app with Customer.io credentials', () => {
  let customerio: CustomerIOSandbox;
  let sample: RunningSample;
  beforeAll(async () => {
    customerio = await CustomerIOSandbox.start({ siteId: 'site-4f2a', apiKey: 'track-key-9d1c7e' });
    sample = await startSample({
      CUSTOMERIO_SITE_ID: 'site-4f2a',
      CUSTOMERIO_API_KEY: 'track-key-9d1c7e',
      CUSTOMERIO_REGION: 'eu',
      CUSTOMERIO_TRACK_URL: customerio.url,
    });
  });
  afterAll(async () => {
    await sample.app.close();
    await customerio.close();
  });

  it('starts no sandbox and says where it sends, without the key', () => {
    expect(sample.sandbox).toBeUndefined();
    expect(sample.logs.of('CustomerIO')).toContain(`Sending to Customer.io (Track API at ${customerio.url})`);
    expect(sample.logs.text).not.toContain('Sandbox mode');
    expect(sample.logs.text).not.toContain('track-key-9d1c7e');
  });

  it('sends there what it would send to the sandbox', async () => {
    const signup = await sample.request('POST', '/signup', {
      body: { email: 'ada@example.com', name: 'Ada', password: 'correct horse' },
    });
    expect(signup.status).toBe(201);
    const upgrade = await sample.request('POST', '/account/plan', { token: signup.body.token, body: { plan: 'pro' } });
    expect(upgrade.body.customerio).toBe('confirmed');
    await sample.client.flush();

    expect(customerio.people.get(signup.body.user.id)?.attributes).toMatchObject({
      email: 'ada@example.com',
      plan: 'pro',
    });
    expect(customerio.events.map((event) => event.name)).toEqual(['signed_up', 'plan_upgraded']);
    expect(sample.logs.of('CustomerIO')).toContainEqual(
      expect.stringMatching(/^delivered \d+ operations? to Customer\.io$/),
    );
  });

  it('serves no sandbox pages', async () => {
    expect((await sample.request('GET', '/customerio')).status).toBe(404);
    expect((await sample.request('GET', '/customerio/stats')).status).toBe(404);
  });
});

describe('sample app with CUSTOMERIO_MODE=disabled', () => {
  it('starts no sandbox, sends nothing, and counts what it would have sent', async () => {
    const sample = await startSample({ CUSTOMERIO_MODE: 'disabled' });
    try {
      expect(sample.sandbox).toBeUndefined();
      expect((await sample.request('GET', '/')).body.sendsTo).toBe('nowhere (mode disabled)');
      const signup = await sample.request('POST', '/signup', {
        body: { email: 'ada@example.com', name: 'Ada', password: 'correct horse' },
      });
      expect(signup.status).toBe(201);
      const upgrade = await sample.request('POST', '/account/plan', {
        token: signup.body.token,
        body: { plan: 'pro' },
      });
      expect(upgrade.body.customerio).toBe('confirmed');
      await sample.client.flush();
      expect(sample.client.stats).toMatchObject({ enqueued: 4, delivered: 0, disabled: 4, failed: 0 });
      expect(sample.logs.of('CustomerIO')).toContainEqual(
        expect.stringMatching(/^sent nothing for \d+ operations? \(mode disabled\)$/),
      );
      expect((await sample.request('GET', '/customerio')).status).toBe(404);
    } finally {
      await sample.app.close();
    }
  });
});

describe('sample app with half the credentials', () => {
  it('refuses to start, naming the missing variable', async () => {
    const logs = new LogCapture();
    const started = startSample({ CUSTOMERIO_SITE_ID: 'site-4f2a' }, logs);
    await expect(started).rejects.toThrow(CustomerIOConfigError);
    await expect(started).rejects.toThrow('CUSTOMERIO_API_KEY');
    expect(logs.text).not.toContain('Sandbox mode');
  });
});
