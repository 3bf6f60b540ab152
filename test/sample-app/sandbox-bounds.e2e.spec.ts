// The sample app in sandbox mode runs its sandbox for its whole life: what the sandbox holds must stay
// bounded however long it is driven, and its port must not take a body it would have to buffer.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { CustomerIOSandbox } from '../../lib/testing/index.js';
import { MAX_SESSIONS } from '../../sample-app/accounts.service.js';
import { rawUpload } from '../support/raw-upload.js';
import { type RunningSample, startSample } from './sample-app.harness.js';

const CAP = 10;
const MB = 1024 * 1024;

describe('sample app in sandbox mode, driven for long', () => {
  let sample: RunningSample;
  let sandbox: CustomerIOSandbox;
  beforeAll(async () => {
    sample = await startSample({ USAGE_REPORT_INTERVAL_MS: '600000', SANDBOX_MAX_RECORDS: String(CAP) });
    sandbox = sample.sandbox!;
  });
  afterAll(() => sample.app.close());

  const held = () => ({
    people: sandbox.people.size,
    events: sandbox.events.length,
    batches: sandbox.batches.length,
    requests: sandbox.requests.length,
  });

  it('keeps what its sandbox records at SANDBOX_MAX_RECORDS while the counts keep counting', async () => {
    const tokens: string[] = [];
    for (let i = 0; i < CAP + 2; i++) {
      const { status, body } = await sample.request('POST', '/signup', {
        body: { email: `user${i}@example.com`, name: `User ${i}`, password: 'correct horse', plan: 'pro' },
      });
      expect(status).toBe(201);
      tokens.push(body.token);
    }
    let events = tokens.length; // signed_up
    const rounds = 40;
    for (let round = 0; round < rounds; round++) {
      expect(
        (await sample.request('POST', '/features/reports/use', { token: tokens[round % tokens.length] })).status,
      ).toBe(200);
      expect(
        (await sample.request('GET', `/pricing?ref=round-${round}`, { anonymousId: `visitor-${round}` })).status,
      ).toBe(200);
      events += 2;
      if (round % 2 === 1) {
        await sample.client.flush(); // one batch request per flush, so batches pass the cap too
        for (const size of Object.values(held())) expect(size).toBeLessThanOrEqual(CAP);
      }
    }
    await sample.client.flush();

    expect(sample.client.stats).toMatchObject({ delivered: events + tokens.length, failed: 0, invalid: 0, queued: 0 });
    expect(held()).toEqual({ people: CAP, events: CAP, batches: CAP, requests: CAP });
    const { counts } = sandbox;
    // each anonymous page view is a request of its own (POST /api/v1/events), the rest went in batches
    expect(counts).toMatchObject({ people: tokens.length, events, requests: counts.batches + rounds });
    expect(counts.batches).toBeGreaterThan(CAP);
    expect(sandbox.events.at(-1)).toMatchObject({ name: 'pricing_viewed', anonymousId: `visitor-${rounds - 1}` });
    const page = await (await fetch(`${sample.url}/customerio`)).text();
    expect(page).toContain(`Events <small>the last ${CAP} of ${events}, in the order received</small>`);
    expect(page).toContain(`${counts.batches} batch request(s), ${counts.requests} request(s) in all`);
  }, 30_000);

  it('keeps ten sessions a customer: logging in again and again ends the oldest', async () => {
    const credentials = { email: 'user0@example.com', password: 'correct horse' };
    const tokens: string[] = [];
    for (let i = 0; i < MAX_SESSIONS + 1; i++)
      tokens.push((await sample.request('POST', '/login', { body: credentials })).body.token);
    expect(MAX_SESSIONS).toBe(10);
    expect((await sample.request('POST', '/features/reports/use', { token: tokens[0] })).status).toBe(401);
    for (const token of tokens.slice(1))
      expect((await sample.request('POST', '/features/reports/use', { token })).status).toBe(200);
  }, 30_000);

  it('answers a 50 MB POST without credentials to its sandbox with 401 before it is sent, reading none of it', async () => {
    const answer = await rawUpload(sandbox.port, '/api/v2/batch', { total: 50 * MB, chunked: true });
    expect(answer.status).toBe(401);
    expect(answer.sentWhenAnswered).toBeLessThan(answer.total);
    expect(sandbox.requests.at(-1)).toMatchObject({ path: '/api/v2/batch', status: 401, bytes: 0 });
  });

  it('answers an authenticated batch over 500 KB with 413 once it has read past the limit, no further', async () => {
    const authorization = `Basic ${Buffer.from(`${sandbox.siteId}:${sandbox.apiKey}`).toString('base64')}`;
    const answer = await rawUpload(sandbox.port, '/api/v2/batch', {
      total: 50 * MB,
      chunked: true,
      headers: { Authorization: authorization },
    });
    expect(answer.status).toBe(413);
    expect(answer.sentWhenAnswered).toBeLessThan(answer.total);
    const { bytes } = sandbox.requests.at(-1)!;
    expect(bytes).toBeGreaterThan(500_000);
    expect(bytes).toBeLessThanOrEqual(500_000 + 64 * 1024);
    // the app still delivers
    expect((await sample.request('GET', '/pricing?ref=after', { anonymousId: 'visitor-after' })).status).toBe(200);
    await sample.client.flush();
    expect(sandbox.events.at(-1)).toMatchObject({ name: 'pricing_viewed', anonymousId: 'visitor-after' });
  });
});
