import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { request } from 'node:http';
import { connect } from 'node:net';
import { setImmediate } from 'node:timers/promises';
import { CustomerIOSandbox } from '../../lib/sandbox/customerio-sandbox.js';
import { batchOperationSizes } from '../../lib/sandbox/batch-operation.scanner.js';
import { rawUpload } from '../support/raw-upload.js';

interface Answer {
  status: number;
  body: unknown;
  headers: Headers;
}

let sandbox: CustomerIOSandbox;

beforeEach(async () => {
  sandbox = await CustomerIOSandbox.start();
});

afterEach(async () => {
  await sandbox.close();
});

const trackAuth = (): string => `Basic ${Buffer.from(`${sandbox.siteId}:${sandbox.apiKey}`).toString('base64')}`;
const appAuth = (): string => `Bearer ${sandbox.appApiKey}`;

async function call(method: string, path: string, body?: unknown, init: RequestInit = {}): Promise<Answer> {
  const authorization = path.startsWith('/api/') ? trackAuth() : appAuth();
  const response = await fetch(`${sandbox.url}${path}`, {
    method,
    headers: { authorization, 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    ...init,
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text), headers: response.headers };
}

/** A ULID (event ids must be ULIDs), distinct for each `n`. */
const ulid = (n: number): string => `01HZX${String(n).padStart(21, '0')}`;
const batch = (ops: unknown[]): Promise<Answer> => call('POST', '/api/v2/batch', { batch: ops });
const v1Errors = (answer: Answer): unknown => (answer.body as { meta: { errors: string[] } }).meta.errors;

describe('CustomerIOSandbox: server', () => {
  it('listens on a free port and hands out module options', () => {
    expect(sandbox.port).toBeGreaterThan(0);
    expect(sandbox.url).toBe(`http://127.0.0.1:${sandbox.port}`);
    expect(sandbox.moduleOptions()).toEqual({
      siteId: 'sandbox-site',
      apiKey: 'sandbox-api-key',
      appApiKey: 'sandbox-app-api-key',
      trackUrl: sandbox.url,
      appApiUrl: sandbox.url,
    });
  });

  it('answers 401 to missing or wrong credentials on the Track and App APIs', async () => {
    const unauthorized = { meta: { error: 'Unauthorized request' } };
    const bad = { headers: { authorization: 'Basic d3Jvbmc6d3Jvbmc=' } };
    expect(await call('PUT', '/api/v1/customers/u1', {}, bad)).toMatchObject({ status: 401, body: unauthorized });
    expect(await call('POST', '/api/v2/batch', { batch: [] }, { headers: {} })).toMatchObject({
      status: 401,
      body: unauthorized,
    });
    expect(await call('POST', '/v1/send/email', {}, { headers: { authorization: trackAuth() } })).toMatchObject({
      status: 401,
      body: unauthorized,
    });
    expect(await call('POST', '/v1/send/email', {}, { headers: { authorization: 'Bearer nope' } })).toMatchObject({
      status: 401,
    });
    expect(sandbox.people.size).toBe(0);
    expect(sandbox.transactional).toHaveLength(0);
    expect(sandbox.batches).toHaveLength(0);
  });

  it('answers 404 to unknown routes and 400 to invalid JSON', async () => {
    expect(await call('GET', '/nowhere')).toMatchObject({ status: 404 });
    expect(await call('POST', '/api/v1/customers/u1/nothing', {})).toMatchObject({ status: 404 });
    expect(await call('PUT', '/api/v1/customers/u1', '{oops')).toEqual(
      expect.objectContaining({ status: 400, body: { meta: { error: 'invalid JSON' } } }),
    );
  });

  it('keeps connections alive and counts them', async () => {
    const first = await call('PUT', '/api/v1/customers/u1', { a: 1 });
    // undici hands the socket back to its pool one tick after the body is read
    await setImmediate();
    await call('PUT', '/api/v1/customers/u1', { b: 2 });
    expect(first.headers.get('connection')).not.toBe('close');
    expect(sandbox.peakConnections).toBe(1);
    expect(sandbox.openConnections).toBe(1);
    expect(sandbox.connectionsOpened).toBe(1);
    expect(sandbox.requests.map(({ method, path, status }) => [method, path, status])).toEqual([
      ['PUT', '/api/v1/customers/u1', 200],
      ['PUT', '/api/v1/customers/u1', 200],
    ]);
    expect(sandbox.requests[0].bytes).toBe(7);
    expect(sandbox.requests[0].receivedAt).toBeLessThanOrEqual(Date.now());
  });

  it('tracks the peak of simultaneous connections', async () => {
    sandbox.delay(40);
    await Promise.all([1, 2, 3].map((n) => call('PUT', `/api/v1/customers/u${n}`, {})));
    expect(sandbox.peakConnections).toBe(3);
    expect(sandbox.connectionsOpened).toBe(3);
    expect(sandbox.people.size).toBe(3);
  });

  it('close() is idempotent and leaves no open connections', async () => {
    await call('PUT', '/api/v1/customers/u1', {});
    expect(sandbox.openConnections).toBe(1);
    await Promise.all([sandbox.close(), sandbox.close()]);
    expect(sandbox.openConnections).toBe(0);
    await expect(fetch(`${sandbox.url}/api/v1/customers/u1`)).rejects.toThrow();
  });
});

describe('CustomerIOSandbox: Track API v1', () => {
  it('identifies people: creates, merges attributes, honours _update, decodes ids', async () => {
    expect(await call('PUT', '/api/v1/customers/u1', { email: 'a@b.c', plan: 'free', _timestamp: 1 })).toMatchObject({
      status: 200,
      body: {},
    });
    await call('PUT', '/api/v1/customers/u1', { plan: 'pro', _update: true });
    await call('PUT', '/api/v1/customers/ghost', { plan: 'pro', _update: true });
    await call('PUT', `/api/v1/customers/${encodeURIComponent('a/b@c.d')}`, { x: 1 });
    expect(sandbox.people.get('u1')).toEqual({
      id: 'u1',
      attributes: { email: 'a@b.c', plan: 'pro' },
      devices: {},
      suppressed: false,
    });
    expect(sandbox.people.has('ghost')).toBe(false);
    expect(sandbox.people.get('a/b@c.d')?.attributes).toEqual({ x: 1 });
  });

  it('deletes people', async () => {
    await call('PUT', '/api/v1/customers/u1', {});
    expect(await call('DELETE', '/api/v1/customers/u1')).toMatchObject({ status: 200, body: {} });
    expect(sandbox.people.has('u1')).toBe(false);
    expect(sandbox.deletedPeople).toEqual(['u1']);
  });

  it('records person events, page views and anonymous events', async () => {
    await call('POST', '/api/v1/customers/u1/events', {
      name: 'purchased',
      data: { total: 3 },
      timestamp: 1700000000,
      id: ulid(1),
    });
    await call('POST', '/api/v1/customers/u1/events', { name: '/pricing', type: 'page' });
    await call('POST', '/api/v1/events', { name: 'invited', anonymous_id: 'anon-1', data: { by: 'u1' } });
    expect(sandbox.events).toEqual([
      {
        id: ulid(1),
        personId: 'u1',
        name: 'purchased',
        type: 'event',
        data: { total: 3 },
        timestamp: 1700000000,
        api: 'v1',
      },
      { personId: 'u1', name: '/pricing', type: 'page', data: {}, api: 'v1' },
      { anonymousId: 'anon-1', name: 'invited', type: 'event', data: { by: 'u1' }, api: 'v1' },
    ]);
    expect(sandbox.people.size).toBe(0);
  });

  it('adds and deletes devices', async () => {
    await call('PUT', '/api/v1/customers/u1/devices', {
      device: { id: 'tok/1', platform: 'ios', last_used: 1700000000, attributes: { app_version: '2' } },
    });
    await call('PUT', '/api/v1/customers/u1/devices', { device: { id: 'tok2', platform: 'android' } });
    expect(sandbox.people.get('u1')?.devices).toEqual({
      'tok/1': { id: 'tok/1', platform: 'ios', lastUsed: 1700000000, attributes: { app_version: '2' } },
      tok2: { id: 'tok2', platform: 'android' },
    });
    expect(await call('DELETE', `/api/v1/customers/u1/devices/${encodeURIComponent('tok/1')}`)).toMatchObject({
      status: 200,
    });
    expect(Object.keys(sandbox.people.get('u1')?.devices ?? {})).toEqual(['tok2']);
    expect(await call('PUT', '/api/v1/customers/u1/devices', { device: { platform: 'ios' } })).toMatchObject({
      status: 400,
    });
  });

  it('suppresses and unsuppresses people', async () => {
    await call('POST', '/api/v1/customers/u1/suppress', {});
    expect(sandbox.people.get('u1')?.suppressed).toBe(true);
    await call('POST', '/api/v1/customers/u1/unsuppress', {});
    expect(sandbox.people.get('u1')?.suppressed).toBe(false);
  });

  it('merges people: 400 without a primary, else the primary wins and the secondary goes', async () => {
    const body = { primary: { id: 'u1' }, secondary: { email: 'old@x.io' } };
    expect(await call('POST', '/api/v1/merge_customers', body)).toMatchObject({ status: 400 });
    expect(sandbox.merges).toEqual([]);
    await call('PUT', '/api/v1/customers/u1', { plan: 'pro' });
    await call('PUT', '/api/v1/customers/old@x.io', { plan: 'free', city: 'Oslo' });
    expect(await call('POST', '/api/v1/merge_customers', body)).toMatchObject({ status: 200, body: {} });
    expect(sandbox.people.get('u1')?.attributes).toEqual({ plan: 'pro', city: 'Oslo' });
    expect(sandbox.people.has('old@x.io')).toBe(false);
    expect(sandbox.merges).toEqual([body]);
  });

  it('records push metrics from both endpoints', async () => {
    await call('POST', '/api/v1/push/events', { delivery_id: 'd1', event: 'opened' });
    await call('POST', '/api/v1/metrics', { delivery_id: 'd2', metric: 'delivered' });
    expect(sandbox.metrics).toEqual([
      { delivery_id: 'd1', event: 'opened' },
      { delivery_id: 'd2', metric: 'delivered' },
    ]);
  });

  it('enforces Customer.io limits with 400 {meta:{errors}}', async () => {
    const tooLongId = 'é'.repeat(76); // 152 bytes
    const answers = await Promise.all([
      call('PUT', `/api/v1/customers/${encodeURIComponent(tooLongId)}`, {}),
      call('PUT', '/api/v1/customers/%20', {}),
      call('POST', '/api/v1/customers/u1/events', { data: {} }),
      call('POST', '/api/v1/customers/u1/events', { name: '  ' }),
      call('POST', '/api/v1/customers/u1/events', { name: 'n'.repeat(101) }),
      call('POST', '/api/v1/customers/u1/events', { name: 'big', data: { blob: 'x'.repeat(100_000) } }),
      call('PUT', '/api/v1/customers/u1', { bio: 'ü'.repeat(501) }),
      call('PUT', '/api/v1/customers/u1', { tags: Array.from({ length: 200 }, () => 'abcd') }),
      call('PUT', '/api/v1/customers/u1', Object.fromEntries(Array.from({ length: 301 }, (_, i) => [`a${i}`, i]))),
    ]);
    for (const answer of answers) {
      expect(answer.status).toBe(400);
      expect(v1Errors(answer)).toEqual([expect.any(String)]);
    }
    expect(v1Errors(answers[4])).toEqual(['event name is longer than 100 bytes']);
    expect(sandbox.people.size).toBe(0);
    expect(sandbox.events).toHaveLength(0);
    // exactly at the limits is fine
    expect(await call('PUT', `/api/v1/customers/${'u'.repeat(150)}`, { bio: 'x'.repeat(1000) })).toMatchObject({
      status: 200,
    });
    expect(await call('POST', '/api/v1/customers/u1/events', { name: 'n'.repeat(100) })).toMatchObject({ status: 200 });
  });
});

describe('CustomerIOSandbox: App API', () => {
  it('records transactional messages and broadcast triggers (both paths)', async () => {
    const email = await call('POST', '/v1/send/email', { transactional_message_id: 3, to: 'a@b.c' });
    expect(email.status).toBe(200);
    expect(email.body).toEqual({ delivery_id: expect.any(String), queued_at: expect.any(Number) });
    await call('POST', '/v1/send/in_app', { transactional_message_id: 4 });
    expect(sandbox.transactional).toEqual([
      { kind: 'email', body: { transactional_message_id: 3, to: 'a@b.c' } },
      { kind: 'in_app', body: { transactional_message_id: 4 } },
    ]);
    expect(await call('POST', '/v1/campaigns/7/triggers', { data: { a: 1 } })).toMatchObject({
      status: 200,
      body: { id: 1 },
    });
    expect(await call('POST', '/v1/api/campaigns/8/triggers', { ids: ['u1'] })).toMatchObject({
      status: 200,
      body: { id: 2 },
    });
    expect(sandbox.broadcasts).toEqual([
      { broadcastId: '7', body: { data: { a: 1 } } },
      { broadcastId: '8', body: { ids: ['u1'] } },
    ]);
    expect(await call('POST', '/v1/send/fax', {})).toMatchObject({ status: 404 });
  });
});

describe('CustomerIOSandbox: Track API v2', () => {
  it('applies a valid batch in order and answers 200', async () => {
    const answer = await batch([
      { type: 'person', identifiers: { id: 'u1' }, action: 'identify', attributes: { plan: 'pro' } },
      { type: 'person', identifiers: { email: 'b@x.io' }, action: 'identify', attributes: { a: 1 } },
      {
        type: 'person',
        identifiers: { id: 'u1' },
        action: 'event',
        name: 'paid',
        id: ulid(1),
        timestamp: 5,
        attributes: { n: 1 },
      },
      { type: 'person', identifiers: { cio_id: 'abc' }, action: 'page', name: '/home' },
      { type: 'person', identifiers: { id: 'u1' }, action: 'screen', name: 'Home' },
      { type: 'person', identifiers: { id: 'u1' }, action: 'add_device', device: { token: 't1', platform: 'ios' } },
      { type: 'person', identifiers: { id: 'u1' }, action: 'add_device', device: { token: 't2', platform: 'android' } },
      { type: 'person', identifiers: { id: 'u1' }, action: 'delete_device', device: { token: 't2' } },
      { type: 'person', action: 'merge', primary: { id: 'u1' }, secondary: { email: 'b@x.io' } },
      { type: 'person', identifiers: { id: 'u1' }, action: 'suppress' },
      { type: 'person', identifiers: { id: 'u2' }, action: 'identify' },
      { type: 'person', identifiers: { id: 'u2' }, action: 'delete' },
    ]);
    expect(answer).toMatchObject({ status: 200, body: {} });
    expect(sandbox.people.get('u1')).toEqual({
      id: 'u1',
      attributes: { plan: 'pro', a: 1 },
      devices: { t1: { id: 't1', platform: 'ios' } },
      suppressed: true,
    });
    expect([...sandbox.people.keys()]).toEqual(['u1']);
    expect(sandbox.events).toEqual([
      { id: ulid(1), personId: 'u1', name: 'paid', type: 'event', data: { n: 1 }, timestamp: 5, api: 'v2' },
      { personId: 'cio_abc', name: '/home', type: 'page', data: {}, api: 'v2' },
      { personId: 'u1', name: 'Home', type: 'screen', data: {}, api: 'v2' },
    ]);
    expect(sandbox.merges).toEqual([{ primary: { id: 'u1' }, secondary: { email: 'b@x.io' } }]);
    expect(sandbox.deletedPeople).toEqual(['u2']);
    expect(sandbox.batches).toEqual([{ operations: 12, bytes: sandbox.requests[0].bytes, status: 200 }]);
  });

  it('answers 207 with batch_index/reason/field for invalid operations and applies the valid ones', async () => {
    const answer = await batch([
      { type: 'person', identifiers: { id: 'u1' }, action: 'identify', attributes: { ok: true } },
      { type: 'delivery', identifiers: { id: 'd-1' }, action: 'add_metric' },
      { type: 'person', identifiers: { id: 'u2', email: 'x@y.z' }, action: 'identify' },
      { type: 'person', identifiers: { id: 'u1' }, action: 'event' },
      { type: 'person', identifiers: { id: 'u1' }, action: 'fly' },
      { type: 'person', identifiers: { id: 'u1' }, action: 'event', name: 'ok' },
      { type: 'person', identifiers: { id: 'u1' }, action: 'identify', attributes: { big: 'x'.repeat(1001) } },
      {
        type: 'person',
        identifiers: { id: 'u1' },
        action: 'event',
        name: 'x',
        attributes: { blob: 'y'.repeat(32_000) },
      },
    ]);
    expect(answer.status).toBe(207);
    const errors = (answer.body as { errors: Record<string, unknown>[] }).errors;
    expect(errors.map(({ batch_index, reason, field }) => ({ batch_index, reason, field }))).toEqual([
      { batch_index: 1, reason: 'unsupported', field: 'type' },
      { batch_index: 2, reason: 'invalid', field: 'identifiers' },
      { batch_index: 3, reason: 'invalid', field: 'name' },
      { batch_index: 4, reason: 'invalid', field: 'action' },
      { batch_index: 6, reason: 'invalid', field: 'attributes.big' },
      { batch_index: 7, reason: 'too_large', field: undefined },
    ]);
    for (const error of errors) expect(error.message).toEqual(expect.any(String));
    expect(sandbox.people.get('u1')?.attributes).toEqual({ ok: true });
    expect(sandbox.events.map((event) => event.name)).toEqual(['ok']);
    expect(sandbox.batches).toEqual([{ operations: 8, bytes: expect.any(Number), status: 207 }]);
  });

  it('answers 413 to a batch over 500 KB and 400 to a body without a batch', async () => {
    const ops = Array.from({ length: 20 }, (_, i) => ({
      type: 'person',
      identifiers: { id: `u${i}` },
      action: 'event',
      name: 'e',
      attributes: { blob: 'z'.repeat(26_000) },
    }));
    const answer = await batch(ops);
    expect(answer.status).toBe(413);
    expect(answer.body).toEqual({ errors: [{ reason: 'request_too_large', message: expect.any(String) }] });
    expect(sandbox.events).toHaveLength(0);
    expect(await call('POST', '/api/v2/batch', { ops: [] })).toMatchObject({
      status: 400,
      body: { errors: [{ reason: 'invalid', field: 'batch' }] },
    });
    expect(sandbox.batches.map(({ operations, status }) => [operations, status])).toEqual([
      [0, 413],
      [0, 400],
    ]);
  });

  it('handles /api/v2/entity: one operation, 413 over 32 KB', async () => {
    const op = { type: 'person', identifiers: { id: 'u1' }, action: 'identify', attributes: { a: 1 } };
    expect(await call('POST', '/api/v2/entity', op)).toMatchObject({ status: 200, body: {} });
    expect(sandbox.people.get('u1')?.attributes).toEqual({ a: 1 });
    const big = { ...op, action: 'event', name: 'e', attributes: { blob: 'x'.repeat(33_000) } };
    expect(await call('POST', '/api/v2/entity', big)).toMatchObject({ status: 413 });
    expect(await call('POST', '/api/v2/entity', { ...op, identifiers: {} })).toMatchObject({
      status: 400,
      body: { errors: [{ reason: 'invalid', field: 'identifiers' }] },
    });
  });

  it('dedupes events by id across v1 and v2', async () => {
    const v1 = { name: 'paid', id: ulid(99) };
    expect(await call('POST', '/api/v1/customers/u1/events', v1)).toMatchObject({ status: 200 });
    expect(await call('POST', '/api/v1/customers/u1/events', v1)).toMatchObject({ status: 200 });
    expect(
      await batch([
        { type: 'person', identifiers: { id: 'u1' }, action: 'event', name: 'paid', id: ulid(99) },
        { type: 'person', identifiers: { id: 'u1' }, action: 'event', name: 'paid', id: ulid(98) },
      ]),
    ).toMatchObject({ status: 200 });
    expect(sandbox.events.map((event) => [event.id, event.api])).toEqual([
      [ulid(99), 'v1'],
      [ulid(98), 'v2'],
    ]);
    expect(sandbox.duplicateEvents).toBe(2);
  });
});

describe('CustomerIOSandbox: faults', () => {
  it('respondWith answers N times with Retry-After, then requests succeed', async () => {
    sandbox.respondWith(429, { times: 2, retryAfter: 3, path: '/api/v1/customers', method: 'put' });
    for (let i = 0; i < 2; i++) {
      const answer = await call('PUT', '/api/v1/customers/u1', { a: 1 });
      expect(answer).toMatchObject({ status: 429, body: { meta: { error: 'scripted 429' } } });
      expect(answer.headers.get('retry-after')).toBe('3');
    }
    expect(sandbox.people.size).toBe(0);
    expect(sandbox.requests.map((request) => request.bytes)).toEqual([0, 0]); // answered unread
    const ok = await call('PUT', '/api/v1/customers/u1', { a: 1 });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('retry-after')).toBeNull();
    expect(sandbox.people.get('u1')?.attributes).toEqual({ a: 1 });
    expect(sandbox.requests.map((request) => request.status)).toEqual([429, 429, 200]);
  });

  it('respondWith matches paths by RegExp, sends raw string bodies and applies before auth', async () => {
    sandbox.respondWith(503, { path: /batch$/, body: 'down' });
    const response = await fetch(`${sandbox.url}/api/v2/batch`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(503);
    expect(await response.text()).toBe('down');
    expect(await call('POST', '/api/v2/entity', {})).toMatchObject({ status: 400 });
    sandbox.clearFaults();
    expect(await call('POST', '/api/v2/batch', { batch: [] })).toMatchObject({ status: 200 });
  });

  it('hang never answers; the client aborts and close() still resolves with no open connection', async () => {
    sandbox.hang({ times: 1 });
    await expect(call('PUT', '/api/v1/customers/u1', { a: 1 }, { signal: AbortSignal.timeout(50) })).rejects.toThrow();
    expect(sandbox.requests).toEqual([expect.objectContaining({ path: '/api/v1/customers/u1', status: 0 })]);
    expect(sandbox.people.size).toBe(0);
    await sandbox.waitFor(() => sandbox.pendingRequests === 0);
    sandbox.hang();
    const pending = call('PUT', '/api/v1/customers/u2', {}).catch((error: unknown) => error);
    await sandbox.waitFor(() => sandbox.requests.length === 2);
    expect(sandbox.pendingRequests).toBe(1);
    await sandbox.close();
    expect(sandbox.openConnections).toBe(0);
    expect(String(await pending)).toMatch(/fetch failed/);
  });

  it('delay waits, then processes normally', async () => {
    sandbox.delay(60, { times: 1 });
    const started = performance.now();
    expect(await call('PUT', '/api/v1/customers/u1', { a: 1 })).toMatchObject({ status: 200 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
    expect(sandbox.people.has('u1')).toBe(true);
  });

  it('resetConnection destroys the socket without applying the request', async () => {
    sandbox.resetConnection({ times: 1 });
    await expect(call('PUT', '/api/v1/customers/u1', { a: 1 })).rejects.toThrow('fetch failed');
    expect(sandbox.people.size).toBe(0);
    expect(sandbox.requests[0].status).toBe(0);
    expect(await call('PUT', '/api/v1/customers/u1', { a: 1 })).toMatchObject({ status: 200 });
  });

  it('resetConnection afterProcessing applies the request, then loses the reply', async () => {
    sandbox.resetConnection({ afterProcessing: true, path: '/api/v1/customers/u1/events' });
    await expect(call('POST', '/api/v1/customers/u1/events', { name: 'paid', id: ulid(1) })).rejects.toThrow(
      'fetch failed',
    );
    expect(sandbox.events).toEqual([expect.objectContaining({ id: ulid(1), name: 'paid' })]);
    expect(sandbox.requests[0].status).toBe(0);
  });

  it('rejects invalid fault scripts', () => {
    expect(() => sandbox.respondWith(42)).toThrow(RangeError);
    expect(() => sandbox.hang({ times: 0 })).toThrow(RangeError);
    expect(() => sandbox.delay(-1)).toThrow(RangeError);
  });
});

describe('CustomerIOSandbox: waitFor and reset', () => {
  it('waitFor resolves once the condition holds and rejects with a clear error on timeout', async () => {
    const waiting = sandbox.waitFor(() => sandbox.events.length === 1);
    await call('POST', '/api/v1/events', { name: 'invited' });
    await expect(waiting).resolves.toBeUndefined();
    await expect(sandbox.waitFor(() => sandbox.events.length === 2, 30)).rejects.toThrow(
      /waitFor: condition not met within 30 ms: .*events\.length === 2/,
    );
  });

  it('reset() clears state, request log, faults and the connection peak', async () => {
    await call('PUT', '/api/v1/customers/u1', {});
    await call('POST', '/api/v1/customers/u1/events', { name: 'e', id: ulid(1) });
    await call('POST', '/v1/send/sms', {});
    await batch([]);
    sandbox.respondWith(500, { path: '/api/v1/metrics' });
    sandbox.reset();
    expect(sandbox.people.size).toBe(0);
    expect(sandbox.events).toEqual([]);
    expect(sandbox.transactional).toEqual([]);
    expect(sandbox.batches).toEqual([]);
    expect(sandbox.requests).toEqual([]);
    expect(sandbox.peakConnections).toBe(sandbox.openConnections);
    expect(await call('POST', '/api/v1/metrics', { delivery_id: 'd1', metric: 'opened' })).toMatchObject({
      status: 200,
    });
    await call('POST', '/api/v1/customers/u1/events', { name: 'e', id: ulid(1) });
    expect(sandbox.events).toHaveLength(1);
    expect(sandbox.duplicateEvents).toBe(0);
  });
});

describe('CustomerIOSandbox: request bodies', () => {
  const MB = 1024 * 1024;
  const upload = (path: string, options: Parameters<typeof rawUpload>[2]) => rawUpload(sandbox.port, path, options);

  it('answers 401 to a request without credentials before reading its body, and closes the connection', async () => {
    for (const headers of [{}, { Authorization: 'Basic d3Jvbmc6d3Jvbmc=' }] as Record<string, string>[]) {
      const answer = await upload('/api/v2/batch', { total: 50 * MB, headers });
      expect(answer.status).toBe(401);
      expect(answer.head).toMatch(/\r\nConnection: close\r\n/i);
      expect(answer.sentWhenAnswered).toBeLessThan(answer.total);
    }
    const chunked = await upload('/v1/send/email', {
      total: 50 * MB,
      chunked: true,
      headers: { Authorization: trackAuth() },
    });
    expect(chunked.status).toBe(401);
    expect(chunked.sentWhenAnswered).toBeLessThan(chunked.total);
    expect(sandbox.requests.map(({ status, bytes }) => [status, bytes])).toEqual([
      [401, 0],
      [401, 0],
      [401, 0],
    ]);
    expect(sandbox.batches).toEqual([]);
  });

  it('answers 404 to an unknown path without reading its body', async () => {
    const answer = await upload('/upload', { total: 50 * MB });
    expect(answer.status).toBe(404);
    expect(answer.head).toMatch(/\r\nConnection: close\r\n/i);
    expect(answer.sentWhenAnswered).toBeLessThan(answer.total);
    expect(sandbox.requests[0].bytes).toBe(0);
  });

  it('answers 413 at once to a Content-Length over the limit, reading none of the body', async () => {
    const answer = await upload('/api/v2/batch', { total: 50 * MB, headers: { Authorization: trackAuth() } });
    expect(answer.status).toBe(413);
    expect(answer.head).toMatch(/\r\nConnection: close\r\n/i);
    expect(answer.sentWhenAnswered).toBeLessThan(answer.total);
    expect(sandbox.requests).toEqual([expect.objectContaining({ status: 413, bytes: 0 })]);
    expect(sandbox.batches).toEqual([{ operations: 0, bytes: 0, status: 413 }]);
  });

  it.each([
    ['/api/v2/batch', 500_000],
    ['/api/v2/entity', 32_000],
    ['/api/v1/customers/u1', 500_000],
    ['/v1/send/email', 3_000_000],
  ])(
    'stops reading a chunked body to %s once past %i bytes, answers 413 and closes the connection',
    async (path, limit) => {
      const authorization = path.startsWith('/api/') ? trackAuth() : appAuth();
      const answer = await upload(path, { total: 50 * MB, chunked: true, headers: { Authorization: authorization } });
      expect(answer.status).toBe(413);
      expect(answer.head).toMatch(/\r\nConnection: close\r\n/i);
      expect(answer.sentWhenAnswered).toBeLessThan(answer.total);
      const [{ status, bytes }] = sandbox.requests;
      expect(status).toBe(413);
      expect(bytes).toBeGreaterThan(limit);
      expect(bytes).toBeLessThanOrEqual(limit + 64 * 1024);
      expect(sandbox.people.size + sandbox.events.length + sandbox.transactional.length).toBe(0);
    },
  );

  it('closes the connection of a client that keeps sending after the answer', async () => {
    const socket = connect(sandbox.port, '127.0.0.1');
    socket.on('error', () => {});
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    let received = '';
    socket.on('data', (data: Buffer) => (received += data.toString('latin1')));
    socket.write('POST /api/v2/batch HTTP/1.1\r\nHost: sandbox\r\nContent-Length: 52428800\r\n\r\n');
    const drip = setInterval(() => socket.write(Buffer.alloc(1024, 0x20)), 20);
    await closed;
    clearInterval(drip);
    expect(received).toMatch(/^HTTP\/1\.1 401 /);
  });

  it('tells a client sending Expect: 100-continue to go on only when it will read the body', async () => {
    const socket = connect(sandbox.port, '127.0.0.1');
    let received = '';
    socket.on('data', (data: Buffer) => (received += data.toString('latin1')));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write(
      'PUT /api/v1/customers/u1 HTTP/1.1\r\nHost: sandbox\r\nExpect: 100-continue\r\nContent-Length: 9\r\n\r\n',
    );
    await closed;
    expect(received).toMatch(/^HTTP\/1\.1 401 /);

    const answer = await new Promise<number>((resolve, reject) => {
      const req = request(`${sandbox.url}/api/v1/customers/u1`, {
        method: 'PUT',
        headers: { authorization: trackAuth(), expect: '100-continue', 'content-length': '9' },
      });
      req.on('continue', () => req.end('{"a":"b"}'));
      req.on('response', (res) => resolve(res.resume().statusCode ?? 0)).on('error', reject);
    });
    expect(answer).toBe(200);
    expect(sandbox.people.get('u1')?.attributes).toEqual({ a: 'b' });
  });

  it('reads a body of exactly the limit', async () => {
    const padded = (limit: number, value: object) => {
      const json = JSON.stringify(value);
      return json + ' '.repeat(limit - Buffer.byteLength(json));
    };
    expect(await call('POST', '/api/v2/batch', padded(500_000, { batch: [] }))).toMatchObject({ status: 200 });
    expect(await call('PUT', '/api/v1/customers/u1', padded(500_000, { plan: 'pro' }))).toMatchObject({ status: 200 });
    const op = { type: 'person', identifiers: { id: 'u2' }, action: 'identify' };
    expect(await call('POST', '/api/v2/entity', padded(32_000, op))).toMatchObject({ status: 200 });
    expect(await call('POST', '/api/v2/entity', padded(32_001, op))).toMatchObject({ status: 413 });
    expect([...sandbox.people.keys()]).toEqual(['u1', 'u2']);
  });
});

describe('CustomerIOSandbox: bounded records', () => {
  let small: CustomerIOSandbox;
  beforeEach(async () => {
    small = await CustomerIOSandbox.start({ maxRecords: 3 });
  });
  afterEach(() => small.close());

  const send = async (method: string, path: string, body: unknown): Promise<number> => {
    const authorization = path.startsWith('/api/') ? trackAuth() : appAuth();
    const response = await fetch(`${small.url}${path}`, {
      method,
      headers: { authorization },
      body: JSON.stringify(body),
    });
    await response.arrayBuffer();
    return response.status;
  };

  it('keeps the last maxRecords entries of each collection while counts keep counting', async () => {
    for (let i = 1; i <= 5; i++) {
      await send('POST', '/api/v1/customers/u1/events', { name: `e${i}`, id: ulid(i) });
      await send('POST', '/api/v2/batch', {
        batch: [{ type: 'person', identifiers: { id: 'u1' }, action: 'page', name: `/p${i}` }],
      });
      await send('DELETE', `/api/v1/customers/gone-${i}`, {});
      await send('POST', '/api/v1/metrics', { delivery_id: `d${i}`, metric: 'opened' });
      await send('POST', '/v1/send/email', { transactional_message_id: i, to: 'a@x.io', identifiers: { id: 'u1' } });
      expect(await send('POST', `/v1/campaigns/${i}/triggers`, {})).toBe(200);
    }
    await send('PUT', '/api/v1/customers/keep', {});
    await send('PUT', '/api/v1/customers/old@x.io', {});
    for (let i = 1; i <= 4; i++)
      await send('POST', '/api/v1/merge_customers', { primary: { id: 'keep' }, secondary: { email: 'old@x.io' } });

    expect(small.maxRecords).toBe(3);
    expect(small.events.map((event) => event.name)).toEqual(['/p4', 'e5', '/p5']);
    expect(small.batches).toHaveLength(3);
    expect(small.deletedPeople).toEqual(['gone-3', 'gone-4', 'gone-5']);
    expect(small.metrics.map((metric) => metric.delivery_id)).toEqual(['d3', 'd4', 'd5']);
    expect(small.transactional.map(({ body }) => body.transactional_message_id)).toEqual([3, 4, 5]);
    expect(small.broadcasts.map(({ broadcastId }) => broadcastId)).toEqual(['3', '4', '5']);
    expect(small.merges).toHaveLength(3);
    expect(small.requests.map(({ path }) => path)).toEqual(Array(3).fill('/api/v1/merge_customers'));
    expect(small.counts).toEqual({
      requests: 36,
      events: 10,
      batches: 5,
      people: 2,
      deletedPeople: 5,
      merges: 4,
      metrics: 5,
      transactional: 5,
      broadcasts: 5,
      objects: 0,
      unsubscribes: 0,
      forms: 0,
    });
  });

  it('forgets the person least recently written past maxRecords, and counts every person created', async () => {
    for (const id of ['a', 'b', 'c']) await send('PUT', `/api/v1/customers/${id}`, { name: id });
    await send('PUT', '/api/v1/customers/a', { plan: 'pro' }); // a is now the most recently written
    await send('PUT', '/api/v1/customers/d', {});
    expect([...small.people.keys()]).toEqual(['c', 'a', 'd']);
    expect(small.people.get('a')?.attributes).toEqual({ name: 'a', plan: 'pro' });
    await send('PUT', '/api/v1/customers/b', { _update: true, plan: 'pro' }); // b was forgotten: not created again
    expect(small.people.has('b')).toBe(false);
    expect(small.counts.people).toBe(4);
  });

  it('remembers the last maxRecords event ids for deduplication', async () => {
    for (const id of [ulid(1), ulid(2), ulid(3), ulid(4), ulid(4), ulid(1)])
      await send('POST', '/api/v1/events', { name: 'e', id });
    expect(small.events.map((event) => event.id)).toEqual([ulid(3), ulid(4), ulid(1)]);
    expect(small.duplicateEvents).toBe(1);
    expect(small.counts.events).toBe(5);
  });

  it('reset() zeroes the counts', async () => {
    await send('POST', '/api/v1/events', { name: 'e' });
    small.reset();
    expect(small.counts).toEqual(expect.objectContaining({ requests: 0, events: 0 }));
  });

  it('keeps 10,000 entries a collection by default; Infinity keeps everything; anything else is refused', async () => {
    expect(sandbox.maxRecords).toBe(10_000);
    const postBatch = async (to: CustomerIOSandbox, ops: unknown[]) => {
      const response = await fetch(`${to.url}/api/v2/batch`, {
        method: 'POST',
        headers: { authorization: trackAuth() },
        body: JSON.stringify({ batch: ops }),
      });
      expect(response.status).toBe(200);
      await response.arrayBuffer();
    };
    const op = (i: number) => ({ type: 'person', identifiers: { id: 'u' }, action: 'event', name: `e${i}` });
    for (const from of [0, 5_000]) await batch(Array.from({ length: 5_000 }, (_, i) => op(from + i)));
    await batch([op(10_000)]);
    expect(sandbox.events).toHaveLength(10_000);
    expect([sandbox.events[0].name, sandbox.events[9_999].name]).toEqual(['e1', 'e10000']);
    expect(sandbox.counts.events).toBe(10_001);
    const everything = await CustomerIOSandbox.start({ maxRecords: Infinity });
    try {
      for (const from of [0, 5_000])
        await postBatch(
          everything,
          Array.from({ length: 5_000 }, (_, i) => op(from + i)),
        );
      await postBatch(everything, [op(10_000)]);
      expect(everything.events).toHaveLength(10_001);
      expect(everything.maxRecords).toBe(Infinity);
    } finally {
      await everything.close();
    }
    for (const maxRecords of [0, 1.5, -1, NaN])
      await expect(CustomerIOSandbox.start({ maxRecords })).rejects.toThrow(RangeError);
  });
});

describe('batchOperationSizes', () => {
  it('measures each operation of the top-level batch array as sent, white space and nesting included', () => {
    const operations = [
      { a: 1, s: 'x,]}"\\' },
      { b: [1, 2, { c: 'é' }] },
      { t: '\\"', u: '\\\\', '"k': '"' },
      'str',
      42,
      null,
      {},
    ];
    const body = Buffer.from(JSON.stringify({ other: [1, { batch: [9] }], batch: operations, tail: 1 }));
    expect(batchOperationSizes(body)).toEqual(operations.map((o) => Buffer.byteLength(JSON.stringify(o))));
    expect(batchOperationSizes(Buffer.from('{ "batch" : [ {"x": 1} ,  {"y":[ ]} ] }'))).toEqual([8, 9]);
    expect(batchOperationSizes(Buffer.from('{"batch":[]}'))).toEqual([]);
    expect(batchOperationSizes(Buffer.from('{"other":[1]}'))).toBeUndefined();
  });
});
