/**
 * The sandbox's App API over real HTTP: transactional messages and broadcast triggers.
 */
import { describe, expect, it } from '@jest/globals';
import { type CustomerIOSandbox } from '../../lib/testing/index.js';
import { sandboxCalls } from './sandbox-calls.js';
import { useSandbox } from '../support/test-app.js';

let sandbox: CustomerIOSandbox;
useSandbox('each', (started) => (sandbox = started));

const { call } = sandboxCalls(() => sandbox);

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
