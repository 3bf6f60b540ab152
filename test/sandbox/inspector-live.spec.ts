/**
 * The sandbox's inspector acting on the sandbox over real sockets: faults scripted through the JSON API (applied to
 * Customer.io's paths only, bad input refused by field), reset, the live stream, and close() with a stream open.
 */
import { describe, expect, it } from '@jest/globals';
import { CustomerIOSandbox } from '../../lib/testing/index.js';
import { inspect, readEvents } from './inspector-calls.js';
import { sandboxCalls } from './sandbox-calls.js';
import { useSandbox } from '../support/test-app.js';

let sandbox: CustomerIOSandbox;
useSandbox('each', (started) => (sandbox = started));

const { call } = sandboxCalls(() => sandbox);
const inspector = (path: string, method?: string, body?: unknown) => inspect(sandbox, path, method, body);

/** Opens the stream of `target` and reads up to its `ready` event. */
async function openStream(target: CustomerIOSandbox, signal?: AbortSignal) {
  const response = await fetch(`${target.url}/_sandbox/api/stream`, { signal });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
  const reader = response.body!.getReader();
  await readEvents(reader, ({ event }) => event === 'ready');
  return reader;
}

describe('CustomerIOSandbox inspector: faults through the JSON API', () => {
  it('a 503 with Retry-After for N requests applies to Customer.io paths, not to the page nor the API', async () => {
    const added = await inspector('/_sandbox/api/faults', 'POST', {
      kind: 'status',
      status: 503,
      retryAfter: 4,
      times: 2,
      path: '/api/v1',
      method: 'put',
    });
    expect(added.status).toBe(201);
    const fault = { kind: 'status', status: 503, retryAfter: '4', path: '/api/v1', method: 'PUT', remaining: 2 };
    expect(added.json).toEqual({ faults: [fault] });
    expect((await inspector('/')).status).toBe(200);
    expect((await inspector('/_sandbox/api/state')).status).toBe(200);
    const refused = await call('PUT', '/api/v1/customers/u1', { a: 1 });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('4');
    expect((await call('POST', '/api/v2/entity', {})).status).toBe(400); // another path: not faulted
    expect((await inspector('/_sandbox/api/faults')).json).toEqual({ faults: [{ ...fault, remaining: 1 }] });
    expect((await call('PUT', '/api/v1/customers/u1', { a: 1 })).status).toBe(503);
    expect((await inspector('/_sandbox/api/faults')).json).toEqual({ faults: [] });
    expect((await call('PUT', '/api/v1/customers/u1', { a: 1 })).status).toBe(200);
    expect(sandbox.requests.map(({ status }) => status)).toEqual([503, 400, 503, 200]);
  });

  it('delay, hang and reset, until cleared by DELETE', async () => {
    await inspector('/_sandbox/api/faults', 'POST', { kind: 'delay', ms: 150, times: 1 });
    const started = performance.now();
    expect((await call('PUT', '/api/v1/customers/u1', {})).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect((await inspector('/_sandbox/api/faults', 'POST', { kind: 'reset', path: '/api/v1' })).status).toBe(201);
    await expect(call('PUT', '/api/v1/customers/u1', {})).rejects.toThrow(/fetch failed/);
    await expect(call('PUT', '/api/v1/customers/u2', {})).rejects.toThrow(/fetch failed/);
    expect(sandbox.people.has('u2')).toBe(false);
    const cleared = await inspector('/_sandbox/api/faults', 'DELETE');
    expect(cleared).toMatchObject({ status: 200, json: { faults: [] } });
    await inspector('/_sandbox/api/faults', 'POST', { kind: 'hang', times: 1 });
    expect((await inspector('/_sandbox/api/faults')).json.faults).toEqual([
      { kind: 'hang', path: null, method: null, remaining: 1 },
    ]);
    const abort = new AbortController();
    const hung = call('PUT', '/api/v1/customers/u3', {}, { signal: abort.signal });
    await sandbox.waitFor(() => sandbox.requests.length === 4);
    expect((await inspector('/_sandbox/api/state')).status).toBe(200); // the page's API still answers
    abort.abort();
    await expect(hung).rejects.toThrow();
    expect((await call('PUT', '/api/v1/customers/u3', {})).status).toBe(200);
  });

  it('refuses bad fault input with 400 naming the field', async () => {
    const cases: [unknown, string][] = [
      ['[1]', 'body: must be a JSON object'],
      ['{oops', 'body: invalid JSON'],
      [{ kind: 'explode' }, 'kind: must be one of status, hang, reset, delay'],
      [{ kind: 'status', status: 99 }, 'status: must be an integer from 200 to 599'],
      [
        { kind: 'status', status: 503, retryAfter: -1 },
        'retryAfter: must be an integer >= 0 (seconds) or an HTTP date',
      ],
      [{ kind: 'status', status: 429, times: 0 }, 'times: must be an integer >= 1, or null (until cleared)'],
      [{ kind: 'hang', path: 'api' }, 'path: must be a string starting with /'],
      [{ kind: 'hang', method: 'P OST' }, 'method: must be an HTTP method, e.g. POST'],
      [{ kind: 'delay' }, 'ms: must be a finite number >= 0'],
      [{ kind: 'delay', ms: 10, status: 503 }, 'status: not a field of a delay fault'],
      [{ kind: 'reset', afterProcessing: 'yes' }, 'afterProcessing: must be a boolean'],
    ];
    for (const [body, error] of cases) {
      expect(await inspector('/_sandbox/api/faults', 'POST', body)).toMatchObject({ status: 400, json: { error } });
    }
    expect((await inspector('/_sandbox/api/faults')).json).toEqual({ faults: [] });
    expect((await inspector('/_sandbox/api/faults', 'PUT', {})).status).toBe(405);
    expect((await inspector('/_sandbox/api/nothing')).status).toBe(404);
  });
});

describe('CustomerIOSandbox inspector: reset and the live stream', () => {
  it('POST /_sandbox/api/reset forgets what was recorded and scripted', async () => {
    await call('PUT', '/api/v1/customers/u1', { a: 1 });
    sandbox.respondWith(500, { path: '/api/v2' });
    expect(await inspector('/_sandbox/api/reset', 'POST')).toMatchObject({ status: 200, json: { reset: true } });
    expect(sandbox.people.size).toBe(0);
    expect(sandbox.requests).toEqual([]);
    const { json } = await inspector('/_sandbox/api/state');
    expect(json).toMatchObject({ people: [], faults: [], counts: { requests: 0, people: 0 } });
  });

  it('streams an event for each request answered, for faults changed and for a reset', async () => {
    const abort = new AbortController();
    const reader = await openStream(sandbox, abort.signal);
    try {
      await call('POST', '/api/v1/customers/u1/events', { name: 'signed_up' });
      const [request] = await readEvents(reader, ({ event }) => event === 'request');
      expect(request.data).toEqual({
        id: expect.any(Number),
        method: 'POST',
        path: '/api/v1/customers/u1/events',
        status: 200,
        durationMs: expect.any(Number),
        bytes: sandbox.requests[0].bytes,
        receivedAt: sandbox.requests[0].receivedAt,
      });
      await inspector('/_sandbox/api/faults', 'POST', { kind: 'status', status: 429 });
      expect((await readEvents(reader, () => true)).map(({ event }) => event)).toEqual(['faults']);
      sandbox.reset(); // as the JSON API's reset does
      const events = await readEvents(reader, ({ event }) => event === 'reset');
      expect(events.map(({ event }) => event)).toEqual(['faults', 'reset']); // the reset clears the faults first
    } finally {
      abort.abort();
    }
  });

  it('close() resolves with a stream open, ending it', async () => {
    const other = await CustomerIOSandbox.start();
    const reader = await openStream(other);
    const closed = other.close();
    await expect(closed).resolves.toBeUndefined();
    await expect(reader.read()).resolves.toMatchObject({ done: true });
    expect(other.openConnections).toBe(0);
  });
});
