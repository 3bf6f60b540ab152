/**
 * The sandbox's HTTP server, over real sockets: credentials, unknown routes, connections, and how much of a request body it reads before answering.
 */
import { describe, expect, it } from '@jest/globals';
import { request } from 'node:http';
import { connect } from 'node:net';
import { setImmediate } from 'node:timers/promises';
import { type CustomerIOSandbox } from '../../lib/testing/index.js';
import { rawUpload } from '../support/raw-upload.js';
import { sandboxCalls } from './sandbox-calls.js';
import { useSandbox } from '../support/test-app.js';

let sandbox: CustomerIOSandbox;
useSandbox('each', (started) => (sandbox = started));

const { trackAuth, appAuth, call } = sandboxCalls(() => sandbox);

describe('CustomerIOSandbox: server', () => {
  it('listens on a free port and hands out module options', () => {
    expect(sandbox.port).toBeGreaterThan(0);
    expect(sandbox.url).toBe(`http://127.0.0.1:${sandbox.port}`);
    expect(sandbox.moduleOptions()).toEqual({
      siteId: 'sandbox-site',
      apiKey: 'sandbox-api-key',
      appApiKey: 'sandbox-app-api-key',
      pipelinesKey: 'sandbox-pipelines-key',
      trackUrl: sandbox.url,
      appApiUrl: sandbox.url,
      pipelinesUrl: sandbox.url,
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
    expect(sandbox.batches).toEqual([{ api: 'track', operations: 0, bytes: 0, status: 413 }]);
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
