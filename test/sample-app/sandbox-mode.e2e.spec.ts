// The sample app (sample-app/) end to end, as a newcomer runs it: no Customer.io credentials, so it
// starts a sandbox of its own. Driven over HTTP; what Customer.io would have received is read from
// that sandbox, from the /customerio page and from the log.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CustomerIODecoratorTracker } from '../../lib/decorators/customerio-decorator.tracker.js';
import type { CustomerIOSandbox } from '../../lib/testing/index.js';
import { type RunningSample, startSample } from './sample-app.harness.js';

/** Signs up and returns the new customer's id and session token. */
async function signUp(
  sample: RunningSample,
  name: string,
  email: string,
  plan = 'free',
): Promise<{ id: string; token: string }> {
  const { status, body } = await sample.request('POST', '/signup', {
    body: { email, name, password: 'correct horse', plan },
  });
  expect(status).toBe(201);
  return { id: body.user.id, token: body.token };
}

/** The sum of the batch sizes in "delivered N operations" log lines. */
const deliveredInLog = (sample: RunningSample): number =>
  sample.logs
    .of('CustomerIO')
    .map((line) => /^delivered (\d+) operations? to the local sandbox$/.exec(line)?.[1])
    .reduce((sum, count) => sum + Number(count ?? 0), 0);

describe('sample app without Customer.io credentials', () => {
  let sample: RunningSample;
  let sandbox: CustomerIOSandbox;
  beforeAll(async () => {
    sample = await startSample({ USAGE_REPORT_INTERVAL_MS: '600000' });
    sandbox = sample.sandbox!;
  });
  afterAll(() => sample.app.close());

  it("runs the module in mode 'sandbox', which starts a sandbox in this process, and says so", async () => {
    expect(sandbox).toBeDefined();
    expect(sample.logs.of('CustomerIO')).toEqual(
      expect.arrayContaining([
        "CUSTOMERIO_SITE_ID and CUSTOMERIO_API_KEY are not set: running in mode 'sandbox' (CUSTOMERIO_MODE picks another)",
        `Sandbox mode: started a local Customer.io sandbox at ${sandbox.url} and sends there; nothing leaves this machine`,
      ]),
    );
    expect(sample.logs.text).not.toContain(sandbox.apiKey);
    expect(sample.logs.text).not.toContain(sandbox.appApiKey);
    const home = await sample.request('GET', '/');
    expect(home.body.sendsTo).toBe('the local Customer.io sandbox: see /customerio');
  });

  it('sends sign-up, log-in, upgrade, feature use and an anonymous visit to the sandbox', async () => {
    const ada = await signUp(sample, 'Ada', 'ada@example.com');
    expect(
      (await sample.request('POST', '/login', { body: { email: 'ada@example.com', password: 'correct horse' } }))
        .status,
    ).toBe(200);
    expect(
      (await sample.request('POST', '/login', { body: { email: 'ada@example.com', password: 'wrong' } })).status,
    ).toBe(401);
    expect(await sample.request('POST', '/features/reports/use', { token: ada.token })).toEqual({
      status: 200,
      body: { feature: 'reports', uses: 1 },
    });
    expect((await sample.request('POST', '/features/export/use', { token: ada.token })).status).toBe(403);
    const upgrade = await sample.request('POST', '/account/plan', {
      token: ada.token,
      body: { plan: 'pro', seats: 3 },
    });
    expect(upgrade).toEqual({
      status: 200,
      body: { user: expect.objectContaining({ plan: 'pro', seats: 3 }), customerio: 'confirmed' },
    });
    expect((await sample.request('POST', '/features/export/use', { token: ada.token })).status).toBe(200);
    expect((await sample.request('POST', '/features/export/use')).status).toBe(401);
    expect((await sample.request('GET', '/pricing?ref=newsletter', { anonymousId: 'visitor-1' })).status).toBe(200);
    await sample.client.flush();

    expect(sandbox.people.get(ada.id)?.attributes).toEqual({
      email: 'ada@example.com',
      name: 'Ada',
      plan: 'pro',
      seats: 3,
      created_at: expect.any(Number),
    });
    // the failed log-in, the refused and the unauthenticated feature uses were not tracked
    expect(
      sandbox.events.map((event) => [event.personId ?? `anonymous ${event.anonymousId}`, event.name, event.data]),
    ).toEqual([
      [ada.id, 'signed_up', { plan: 'free' }],
      [ada.id, 'logged_in', { method: 'password' }],
      [ada.id, 'feature_used', { feature: 'reports' }],
      [ada.id, 'plan_upgraded', { from: 'free', to: 'pro', seats: 3 }],
      [ada.id, 'feature_used', { feature: 'export' }],
      ['anonymous visitor-1', 'pricing_viewed', { referrer: 'newsletter' }],
    ]);
    expect(sandbox.events.every((event) => typeof event.timestamp === 'number' && typeof event.id === 'string')).toBe(
      true,
    );
    const { stats } = sample.client;
    expect(stats).toMatchObject({ enqueued: 8, delivered: 8, invalid: 0, failed: 0, queued: 0 });
    expect(deliveredInLog(sample)).toBe(stats.delivered);
    expect(sample.app.get(CustomerIODecoratorTracker).errors).toBe(0);
    expect(sample.logs.lines.filter((line) => line.level === 'warn' || line.level === 'error')).toEqual([]);
  });

  it('lists the people, attributes and events at /customerio, escaped, and the counters at /customerio/stats', async () => {
    const eve = await signUp(sample, '<script>alert("eve")</script>', 'eve@example.com', 'team');
    expect((await sample.request('POST', '/features/api/use', { token: eve.token })).status).toBe(200);
    await sample.client.flush();

    const response = await fetch(`${sample.url}/customerio`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe("default-src 'none'; style-src 'unsafe-inline'");
    const html = await response.text();
    expect(html).toContain(`<code>${eve.id}</code>`);
    expect(html).toContain('<b>email</b> &#34;ada@example.com&#34;');
    expect(html).toContain('<b>plan</b> &#34;pro&#34;');
    expect(html).toContain(
      '<b>plan_upgraded</b></td><td><code>{&#34;from&#34;:&#34;free&#34;,&#34;to&#34;:&#34;pro&#34;,&#34;seats&#34;:3}</code>',
    );
    expect(html).toContain('anonymous <code>visitor-1</code>');
    expect(html).toContain('<b>name</b> &#34;&#60;script&#62;alert(\\&#34;eve\\&#34;)&#60;/script&#62;&#34;');
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain(`<a href="${sandbox.url}/">Open the sandbox's live inspector</a>`);

    const stats = await sample.request('GET', '/customerio/stats');
    expect(stats).toEqual({ status: 200, body: { ...sample.client.stats } });
    expect(stats.body).toMatchObject({
      enqueued: 11,
      delivered: 11,
      invalid: 0,
      failed: 0,
      rejected: 0,
      dropped: 0,
      queued: 0,
      inFlight: 0,
    });
  });
});

describe('sample app: the usage report job', () => {
  let sample: RunningSample;
  beforeAll(async () => {
    sample = await startSample({ USAGE_REPORT_INTERVAL_MS: '50' });
  });
  afterAll(() => sample.app.close());

  it('reports the feature use of each customer since the last report, and nothing for a period without use', async () => {
    const sandbox = sample.sandbox!;
    const reports = () => sandbox.events.filter((event) => event.name === 'usage_reported');
    const ada = await signUp(sample, 'Ada', 'ada@example.com', 'pro');
    await sample.request('POST', '/features/reports/use', { token: ada.token });
    await sample.request('POST', '/features/export/use', { token: ada.token });
    await sample.request('POST', '/features/export/use', { token: ada.token });
    // the uses may fall into one 50 ms period or several: every one is reported once
    await sandbox.waitFor(() => reports().reduce((sum, event) => sum + Number(event.data.feature_uses), 0) === 3);
    const reported = reports().length;
    await new Promise((resolve) => setTimeout(resolve, 300)); // periods without use
    await sample.client.flush();

    expect(reports()).toHaveLength(reported);
    const uses: Record<string, number> = {};
    for (const { personId, data } of reports()) {
      expect(personId).toBe(ada.id);
      expect(data).toEqual({ period_seconds: 1, feature_uses: expect.any(Number), features: expect.any(Object) });
      for (const [feature, count] of Object.entries(data.features as Record<string, number>))
        uses[feature] = (uses[feature] ?? 0) + count;
    }
    expect(uses).toEqual({ reports: 1, export: 2 });
    expect(sample.logs.of('UsageReportJob')).toContain('reported the usage of 1 customer(s) over the last 1 s');
  });
});

describe('sample app: graceful shutdown', () => {
  it('sends what the queue holds, the last usage report included, then closes its sandbox', async () => {
    const sample = await startSample({ USAGE_REPORT_INTERVAL_MS: '600000' });
    const sandbox = sample.sandbox!;
    const ada = await signUp(sample, 'Ada', 'ada@example.com', 'team');
    await sample.request('POST', '/features/api/use', { token: ada.token });

    await sample.app.close();

    // usage_reported is queued while the app closes (the job reports its last period): only the
    // shutdown drain can have sent it

    expect(sandbox.events.map((event) => event.name)).toEqual(['signed_up', 'feature_used', 'usage_reported']);
    expect(sandbox.people.get(ada.id)?.attributes).toMatchObject({ plan: 'team' });
    expect(sample.client.stats).toMatchObject({ enqueued: 4, delivered: 4, undelivered: 0, queued: 0 });
    expect(sandbox.openConnections).toBe(0);
    await expect(fetch(`${sandbox.url}/api/v2/batch`, { method: 'POST' })).rejects.toThrow();
  });
});
