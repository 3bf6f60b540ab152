/** The sandbox's routing on its own: which API a request goes to, with which credentials and body limit. */
import { describe, expect, it } from '@jest/globals';
import { SandboxState } from '../../../lib/sandbox/sandbox-operations.js';
import { SandboxRecords } from '../../../lib/sandbox/sandbox-records.js';
import { resolveRoute, SANDBOX_BODY_LIMITS, type SandboxRoute } from '../../../lib/sandbox/sandbox-routes.js';
import type { Reply } from '../../../lib/sandbox/sandbox-reply.js';

function routing() {
  const records = new SandboxRecords(100);
  const state = new SandboxState(records, true, 'us');
  return { records, resolve: (method: string, url: string) => resolveRoute(state, records, method, url) };
}

const asRoute = (route: SandboxRoute | Reply): SandboxRoute => {
  if ('status' in route) throw new Error(`expected a route, got ${JSON.stringify(route)}`);
  return route;
};
const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

describe('resolveRoute', () => {
  it('routes each API to its credentials and body limit', () => {
    const { resolve } = routing();
    const expected: Array<[string, string, SandboxRoute['credentials'], number]> = [
      ['PUT', '/api/v1/customers/u1', 'track', SANDBOX_BODY_LIMITS.trackV1],
      ['POST', '/api/v2/batch', 'track', SANDBOX_BODY_LIMITS.batch],
      ['POST', '/api/v2/entity', 'track', SANDBOX_BODY_LIMITS.entity],
      ['GET', '/api/v2/batch', 'track', SANDBOX_BODY_LIMITS.entity],
      ['POST', '/unsubscribe/d1', 'none', SANDBOX_BODY_LIMITS.trackV1],
      ['POST', '/v1/send/email', 'app', SANDBOX_BODY_LIMITS.appApi],
      ['POST', '/v1/campaigns/1/triggers', 'app', SANDBOX_BODY_LIMITS.appApi],
      ['POST', '/v1/identify', 'pipelines', SANDBOX_BODY_LIMITS.pipelinesCall],
      ['POST', '/v1/track', 'pipelines', SANDBOX_BODY_LIMITS.pipelinesCall],
      ['POST', '/v1/alias', 'pipelines', SANDBOX_BODY_LIMITS.pipelinesCall],
      ['POST', '/v1/batch', 'pipelines', SANDBOX_BODY_LIMITS.pipelinesBatch],
      ['GET', '/v1/identify', 'app', SANDBOX_BODY_LIMITS.appApi],
      ['POST', '/v1/identify/x', 'app', SANDBOX_BODY_LIMITS.appApi],
    ];
    for (const [method, url, credentials, maxBodyBytes] of expected) {
      expect({ method, url, route: resolve(method, url) }).toMatchObject({
        method,
        url,
        route: { credentials, maxBodyBytes },
      });
    }
  });

  it('answers 404 with a closed connection for a path of no API, before any body is read', () => {
    const { resolve } = routing();
    for (const [method, url] of [
      ['GET', '/'],
      ['GET', '/unsubscribe/d1'],
      ['POST', '/unsubscribe/d1/more'],
      ['POST', '/api/v3/batch'],
    ]) {
      expect(resolve(method, url)).toEqual({ status: 404, body: { meta: { error: 'Not found' } }, close: true });
    }
  });

  it('answers 400 with a closed connection for a malformed percent-encoding', () => {
    expect(routing().resolve('PUT', '/api/v1/customers/%E0%A4%A')).toEqual({
      status: 400,
      body: { meta: { error: 'invalid URL encoding' } },
      close: true,
    });
  });

  it('hands the decoded path and the query to the API, and answers 413 for a body over the limit', () => {
    const { resolve, records } = routing();
    const { apply } = asRoute(resolve('PUT', '/api/v1/customers/a%40b.c?ignored=1'));
    expect(apply(json({ plan: 'pro' }), 15, {})).toEqual({ status: 200, body: {} });
    expect(records.people.get('a@b.c')?.attributes).toEqual({ plan: 'pro' });
    expect(apply(undefined, SANDBOX_BODY_LIMITS.trackV1 + 1, {})).toMatchObject({ status: 413, close: true });
  });

  it('hands the Pipelines API the X-Strict-Mode header, and answers 200 for a body over the limit', () => {
    const { resolve, records } = routing();
    const { apply } = asRoute(resolve('POST', '/v1/identify'));
    expect(apply(json({ traits: {} }), 13, { 'x-strict-mode': '1' })).toEqual({
      status: 400,
      body: { meta: { errors: ['userId: required (or anonymousId)'] } },
    });
    expect(apply(json({ traits: {} }), 13, {})).toEqual({ status: 200, body: {} });
    expect(apply(undefined, SANDBOX_BODY_LIMITS.pipelinesCall + 1, { 'x-strict-mode': '1' })).toEqual({
      status: 200,
      body: {},
      close: true,
    });
    expect(records.droppedCalls).toEqual([
      { reason: 'userId: required (or anonymousId)', call: { traits: {} } },
      { reason: 'request is larger than 32000 bytes' },
    ]);
  });

  it('answers 404 when applying an unknown v2 endpoint', () => {
    const { apply } = asRoute(routing().resolve('GET', '/api/v2/batch'));
    expect(apply(json({}), 2, {})).toEqual({ status: 404, body: { meta: { error: 'Not found' } } });
  });
});
