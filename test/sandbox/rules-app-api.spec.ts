import { describe, expect, it } from '@jest/globals';
import { CustomerIOSandbox } from '../../lib/testing/index.js';
import { person, ruleChecks } from './sandbox-rules.js';
import { useSandbox } from '../support/test-app.js';

// Each rule of the strict sandbox, from Customer.io's published Track API document (the schema named in each
// test), over real HTTP: what the spec accepts is accepted, what it refuses is refused with Customer.io's shape.

let sandbox: CustomerIOSandbox;
useSandbox('all', (started) => (sandbox = started));

const { call, expectV1Rule } = ruleChecks(() => sandbox);

describe('strict sandbox: App API', () => {
  it('email: to required, identifiers one of id, email, cio_id, attachments base64 strings, headers an object or a JSON string (sendemail)', async () => {
    await expectV1Rule(
      'POST',
      '/v1/send/email',
      [
        {
          transactional_message_id: 3,
          to: 'a@x.io',
          identifiers: { id: 'u1' },
          message_data: { n: 1 },
          attachments: { 'a.txt': 'aGk=' },
        },
        { to: 'a@x.io', identifiers: { email: 'a@x.io' }, headers: { 'X-Tag': 'a' } },
        { to: 'a@x.io', identifiers: { cio_id: 'c1' }, headers: '{"X-Tag":"a"}' },
      ],
      [
        [{ transactional_message_id: 3, identifiers: { id: 'u1' } }, 'to'],
        [{ to: 'a@x.io', identifiers: { phone: '+14155552671' } }, 'identifiers'],
        [{ to: 'a@x.io', identifiers: { id: 'u1' }, attachments: { 'a.txt': 12 } }, 'attachments.a.txt'],
        [{ to: 'a@x.io', identifiers: { id: 'u1' }, send_at: 'tomorrow' }, 'send_at'],
        [{ to: 'a@x.io', identifiers: { id: 'u1' }, headers: 5 }, 'headers'],
      ],
    );
  });

  it('push: transactional_message_id and identifiers required, custom_device a device, sound default or none (sendpush)', async () => {
    await expectV1Rule(
      'POST',
      '/v1/send/push',
      [
        {
          transactional_message_id: 'welcome',
          identifiers: { cio_id: 'c1' },
          custom_device: { token: 't', platform: 'ios', attributes: { push_enabled: 'true' } },
          sound: 'none',
        },
      ],
      [
        [{ identifiers: { id: 'u1' } }, 'transactional_message_id'],
        [
          {
            transactional_message_id: 4,
            identifiers: { id: 'u1' },
            custom_device: { token: 't', platform: 'ios', attributes: { push_enabled: true } },
          },
          'custom_device.attributes.push_enabled',
        ],
        [{ transactional_message_id: 4, identifiers: { id: 'u1' }, sound: 'loud' }, 'sound'],
      ],
    );
  });

  it('sms: transactional_message_id, identifiers and to required (sendsms)', async () => {
    await expectV1Rule(
      'POST',
      '/v1/send/sms',
      [{ transactional_message_id: 5, identifiers: { email: 'a@x.io' }, to: '+14155552671' }],
      [
        [{ transactional_message_id: 5, identifiers: { email: 'a@x.io' } }, 'to'],
        [{ transactional_message_id: 5, to: '+14155552671' }, 'identifiers'],
      ],
    );
  });

  it('broadcasts: an integer broadcast id and object data (campaign_id)', async () => {
    await expectV1Rule(
      'POST',
      '/v1/campaigns/12/triggers',
      [{ data: { a: 1 }, ids: ['u1'] }],
      [
        [{ data: 'x' }, 'data'],
        [{ ids: 'u1' }, 'ids'],
      ],
    );
    await expectV1Rule('POST', '/v1/campaigns/welcome/triggers', [], [[{}, 'broadcast id']]);
  });
});

describe('sandbox with strict: false', () => {
  it('checks only limits and what it records: bare anonymous_id, numeric ids and attributes, any metric', async () => {
    const lenient = await CustomerIOSandbox.start({ strict: false });
    try {
      expect(lenient.strict).toBe(false);
      expect(sandbox.strict).toBe(true);
      const answer = await call(
        'POST',
        '/api/v2/batch',
        {
          batch: [
            { type: 'person', anonymous_id: 'a1', action: 'event', name: 'visited' },
            {
              ...person('add_device'),
              identifiers: { id: 42 },
              device: { token: 't', platform: 'web', attributes: { build: 42 } },
            },
            person('event', { name: 'e', id: 'order-1' }),
          ],
        },
        lenient,
      );
      expect(answer).toEqual({ status: 200, body: {} });
      expect(await call('POST', '/api/v1/metrics', { delivery_id: 'd', metric: 'failed' }, lenient)).toEqual({
        status: 200,
        body: {},
      });
      expect(await call('POST', '/v1/send/sms', { transactional_message_id: 5 }, lenient)).toMatchObject({
        status: 200,
      });
      expect(lenient.events.map((event) => event.anonymousId ?? event.personId)).toEqual(['a1', 'u1']);
    } finally {
      await lenient.close();
    }
  });
});
