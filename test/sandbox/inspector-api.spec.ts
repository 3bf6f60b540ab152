/**
 * The sandbox's inspector over real sockets: its page and files, its JSON API (state, filters, request detail with
 * credentials masked, batches' per-item outcome, reset, faults), its live stream, and close() with a stream open.
 */
import { describe, expect, it } from '@jest/globals';
import { Script } from 'node:vm';
import { CustomerIOSandbox } from '../../lib/testing/index.js';
import { inspect } from './inspector-calls.js';
import { sandboxCalls, ulid } from './sandbox-calls.js';
import { startTestApp, useSandbox } from '../support/test-app.js';

let sandbox: CustomerIOSandbox;
useSandbox('each', (started) => (sandbox = started));

const { call, batch, pipelines } = sandboxCalls(() => sandbox);

const inspector = (path: string, method?: string, body?: unknown) => inspect(sandbox, path, method, body);

describe('CustomerIOSandbox inspector: the page', () => {
  it('serves the page and its files with a strict CSP, unrecorded, and keeps them up during a 503 fault', async () => {
    sandbox.respondWith(503);
    const page = await inspector('/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    const sources = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]);
    expect(sources).toEqual([
      '/_sandbox/inspector.css',
      '/_sandbox/inspector-dom.js',
      '/_sandbox/inspector-panels.js',
      '/_sandbox/inspector.js',
    ]);
    expect(page.text).not.toMatch(/<script>|<style|\sstyle=|\son\w+=/); // nothing inline: the CSP would refuse it
    for (const source of sources) {
      const file = await inspector(source);
      expect(file.status).toBe(200);
      if (source.endsWith('.js')) {
        expect(file.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
        expect(() => new Script(file.text, { filename: source })).not.toThrow();
        expect(file.text).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
      } else expect(file.headers.get('content-type')).toBe('text/css; charset=utf-8');
    }
    expect((await inspector('/_sandbox/api/state')).status).toBe(200);
    expect((await inspector('/_sandbox/nothing.js')).status).toBe(404);
    expect(sandbox.requests).toEqual([]);
    expect((await call('PUT', '/api/v1/customers/u1', {})).status).toBe(503);
    expect(sandbox.requests.map(({ path, status }) => [path, status])).toEqual([['/api/v1/customers/u1', 503]]);
  });
});

describe('CustomerIOSandbox inspector: the JSON API', () => {
  it('shows the state: counts, people with attributes and devices, objects, events newest first, faults', async () => {
    await call('PUT', '/api/v1/customers/u1', { email: 'a@example.com', created_at: 1_700_000_000 });
    await call('PUT', '/api/v1/customers/u1/devices', { device: { id: 'tok-1', platform: 'ios' } });
    await call('POST', '/api/v1/customers/u1/events', { name: 'signed_up', data: { plan: 'pro' } });
    await call('POST', '/api/v1/customers/u2/events', { name: 'viewed', id: ulid(1) });
    await batch([{ type: 'object', action: 'identify', identifiers: { object_type_id: '1', object_id: 'acme' } }]);
    sandbox.respondWith(429, { times: 2, retryAfter: 7, path: '/api/v2', method: 'post' });
    const { status, json } = await inspector('/_sandbox/api/state');
    expect(status).toBe(200);
    expect(json.settings).toEqual({ strict: true, region: 'us', maxRecords: 10_000 });
    expect(json.counts).toMatchObject({ requests: 5, people: 1, events: 2, batches: 1, objects: 1 });
    expect(json.people).toEqual([
      {
        key: 'u1',
        id: 'u1',
        attributes: { email: 'a@example.com', created_at: 1_700_000_000 },
        devices: [{ id: 'tok-1', platform: 'ios' }],
        suppressed: false,
      },
    ]);
    expect(json.objects).toEqual([{ key: '1:acme', attributes: {}, relationships: {} }]);
    expect(json.events.map((event: { name: string }) => event.name)).toEqual(['viewed', 'signed_up']);
    expect(json.events[1]).toMatchObject({ personId: 'u1', data: { plan: 'pro' }, api: 'v1' });
    expect(json.events[1].receivedAt).toBeGreaterThan(Date.now() - 60_000);
    expect(json.batches).toEqual([expect.objectContaining({ api: 'track', status: 200, outcome: 'applied' })]);
    expect(json.faults).toEqual([
      { kind: 'status', status: 429, retryAfter: '7', path: '/api/v2', method: 'POST', remaining: 2 },
    ]);
    await call('PUT', '/api/v1/customers/u3', {});
    expect((await inspector('/_sandbox/api/people?limit=1')).json).toEqual({
      count: 2,
      people: [expect.objectContaining({ key: 'u3' })],
    });
    expect((await inspector('/_sandbox/api/people?limit=0')).json).toEqual({ error: 'limit: must be an integer >= 1' });
  });

  it('filters events by person and by name, case-insensitively', async () => {
    await call('POST', '/api/v1/customers/alice/events', { name: 'Signed_Up' });
    await call('POST', '/api/v1/customers/bob/events', { name: 'signed_up' });
    await call('POST', '/api/v1/customers/alice/events', { name: 'checkout' });
    await call('POST', '/api/v1/events', { name: 'anon_view', anonymous_id: 'anon-1' });
    const names = async (query: string) =>
      (await inspector(`/_sandbox/api/events?${query}`)).json.events.map(
        (event: { personId?: string; anonymousId?: string; name: string }) =>
          `${event.personId ?? event.anonymousId}:${event.name}`,
      );
    expect(await names('')).toEqual(['anon-1:anon_view', 'alice:checkout', 'bob:signed_up', 'alice:Signed_Up']);
    expect(await names('person=ALI')).toEqual(['alice:checkout', 'alice:Signed_Up']);
    expect(await names('name=signed')).toEqual(['bob:signed_up', 'alice:Signed_Up']);
    expect(await names('person=alice&name=signed')).toEqual(['alice:Signed_Up']);
    expect(await names('person=anon')).toEqual(['anon-1:anon_view']);
    expect(await names('name=signed&limit=1')).toEqual(['bob:signed_up']);
  });

  it('lists requests and shows one in detail, the credentials the module sent masked', async () => {
    const subject = await startTestApp({ sandbox, options: { retry: false } });
    try {
      await subject.direct.track('u1', 'paid', { amount: 12 });
    } finally {
      await subject.app.close();
    }
    await call('PUT', '/api/v1/customers/u1', { email: 'a@example.com' });
    const list = (await inspector('/_sandbox/api/requests')).json.requests;
    const sent = sandbox.requests.at(-2)!;
    expect(list.slice(0, 2)).toEqual([
      expect.objectContaining({ method: 'PUT', path: '/api/v1/customers/u1', status: 200 }),
      {
        id: expect.any(Number),
        method: sent.method,
        path: sent.path,
        status: 200,
        durationMs: expect.any(Number),
        bytes: sent.bytes,
        receivedAt: sent.receivedAt,
      },
    ]);
    const detail = await inspector(`/_sandbox/api/requests/${list[1].id}`);
    expect(detail.status).toBe(200);
    expect(detail.json).toMatchObject({
      method: 'POST',
      status: 200,
      request: { headers: { authorization: expect.stringMatching(/^Basic \*{4}$/) }, bodyTruncated: false },
      response: { status: 200, headers: { 'Content-Type': 'application/json' } },
    });
    expect(detail.json.request.body).toContain('"paid"');
    const secrets = [sandbox.apiKey, sandbox.pipelinesKey, sandbox.appApiKey];
    const basic = (user: string, password: string) => Buffer.from(`${user}:${password}`).toString('base64');
    secrets.push(basic(sandbox.siteId, sandbox.apiKey), basic(sandbox.pipelinesKey, ''));
    const all = await Promise.all(
      list.map(async (request: { id: number }) => (await inspector(`/_sandbox/api/requests/${request.id}`)).text),
    );
    for (const text of [...all, (await inspector('/_sandbox/api/state')).text])
      for (const secret of secrets) expect(text).not.toContain(secret);
    expect((await inspector('/_sandbox/api/requests/999')).status).toBe(404);
  });

  it('keeps request bodies up to 64 KiB and as many requests as maxRecords', async () => {
    const small = await CustomerIOSandbox.start({ maxRecords: 2 });
    try {
      const auth = `Bearer ${small.appApiKey}`;
      const send = (body: string) =>
        fetch(`${small.url}/v1/send/email`, { method: 'POST', headers: { authorization: auth }, body });
      await send(JSON.stringify({ transactional_message_id: 1, to: 'a@example.com', padding: 'x'.repeat(70_000) }));
      await send('{}');
      await send('{"second": true}');
      const list = (await inspect(small, '/_sandbox/api/requests')).json.requests;
      expect(list).toHaveLength(2);
      const [first, second, third] = [list[1].id - 1, list[1].id, list[0].id];
      expect((await inspect(small, `/_sandbox/api/requests/${first}`)).status).toBe(404);
      expect((await inspect(small, `/_sandbox/api/requests/${second}`)).json.request.body).toBe('{}');
      expect((await inspect(small, `/_sandbox/api/requests/${third}`)).json.request.body).toBe('{"second": true}');
    } finally {
      await small.close();
    }
    await batch([
      { type: 'person', action: 'identify', identifiers: { id: 'u1' }, attributes: { pad: 'y'.repeat(900) } },
    ]);
    const big = JSON.stringify({
      batch: Array.from({ length: 100 }, (_, i) => ({
        type: 'person',
        action: 'identify',
        identifiers: { id: `u${i}` },
        attributes: { pad: 'z'.repeat(900) },
      })),
    });
    expect((await call('POST', '/api/v2/batch', big)).status).toBe(200);
    const [latest] = (await inspector('/_sandbox/api/requests')).json.requests;
    const detail = (await inspector(`/_sandbox/api/requests/${latest.id}`)).json;
    expect(detail.request.bodyTruncated).toBe(true);
    expect(Buffer.byteLength(detail.request.body)).toBeLessThanOrEqual(64 * 1024);
    expect(Buffer.byteLength(detail.request.body)).toBeGreaterThan(64 * 1024 - 4);
  });

  it("shows batches' per-item outcome: a 207's refused items, Pipelines' dropped and strict 400 items", async () => {
    await batch([
      { type: 'person', action: 'identify', identifiers: { id: 'u1' } },
      { type: 'person', action: 'bogus', identifiers: { id: 'u1' } },
    ]);
    const calls = {
      batch: [
        { type: 'track', userId: 'u1', event: 'ok' },
        { type: 'track', event: 'no user' },
      ],
    };
    await pipelines('batch', calls);
    expect((await pipelines('batch', calls, true)).status).toBe(400);
    expect((await call('POST', '/api/v2/batch', '{oops')).status).toBe(400);
    const { batches } = (await inspector('/_sandbox/api/batches')).json;
    expect(batches.map((b: { api: string; status: number; outcome: string }) => [b.api, b.status, b.outcome])).toEqual([
      ['track', 400, 'refused'],
      ['pipelines', 400, 'refused'],
      ['pipelines', 200, 'partial'],
      ['track', 207, 'partial'],
    ]);
    expect(batches[0]).toMatchObject({ reasons: ['invalid JSON'], items: [] });
    expect(batches[1].items).toEqual([{ index: 1, outcome: 'refused', reason: expect.stringMatching(/^batch\[1\]/) }]);
    expect(batches[2].items).toEqual([{ index: 1, outcome: 'dropped', reason: batches[1].items[0].reason }]);
    expect(batches[3].items).toEqual([{ index: 1, outcome: 'refused', reason: expect.stringContaining('action') }]);
    expect(batches[3].receivedAt).toBeGreaterThan(Date.now() - 60_000);
  });
});
