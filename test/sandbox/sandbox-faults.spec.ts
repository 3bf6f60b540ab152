/**
 * Scripted faults over real HTTP: statuses, hangs, delays, connection resets.
 */
import { describe, expect, it } from '@jest/globals';
import { type CustomerIOSandbox } from '../../lib/testing/index.js';
import { ulid, sandboxCalls } from './sandbox-calls.js';
import { useSandbox } from '../support/test-app.js';

let sandbox: CustomerIOSandbox;
useSandbox('each', (started) => (sandbox = started));

const { call } = sandboxCalls(() => sandbox);

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
    const abort = new AbortController();
    const aborted = call('PUT', '/api/v1/customers/u1', { a: 1 }, { signal: abort.signal });
    // NOTE: aborted once it arrived, not after a fixed time, which a loaded machine may take to send it
    await sandbox.waitFor(() => sandbox.requests.length === 1);
    abort.abort();
    await expect(aborted).rejects.toThrow();
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
