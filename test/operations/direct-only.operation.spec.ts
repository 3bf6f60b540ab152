import { describe, expect, it } from '@jest/globals';
import { broadcastRequest } from '../../lib/operations/broadcast.operation.js';
import { metricRequest, pushMetricRequest } from '../../lib/operations/delivery-metric.operation.js';
import { formSubmissionRequest } from '../../lib/operations/form-submission.operation.js';
import { segmentMembershipRequest } from '../../lib/operations/segment-membership.operation.js';
import { emailRequest, pushRequest, smsRequest } from '../../lib/operations/transactional-message.operation.js';
import { unsubscribeRequest } from '../../lib/operations/unsubscribe.operation.js';
import { builtBy, refusal, TRACK_URL } from './sdk-request.js';

declare const SDK_MAJOR: 4 | 5;

describe(`operations with no batch form: their one request, customerio-node ${SDK_MAJOR}.x`, () => {
  it('a delivery metric: POST /api/v1/metrics', () => {
    expect(
      metricRequest({ channel: 'email', deliveryId: 'd-1', metric: 'clicked', href: 'https://x.test', timestamp: 5 }),
    ).toEqual({
      api: 'track',
      path: '/api/v1/metrics',
      body: { delivery_id: 'd-1', metric: 'clicked', timestamp: 5, href: 'https://x.test' },
    });
  });

  it('a push metric: the legacy POST /api/v1/push/events, built by the SDK', async () => {
    expect(
      await builtBy(pushMetricRequest({ deliveryId: 'd-1', event: 'opened', deviceId: 't', timestamp: 5 })),
    ).toEqual({
      method: 'POST',
      url: `${TRACK_URL}/api/v1/push/events`,
      body: { delivery_id: 'd-1', event: 'opened', timestamp: 5, device_id: 't' },
    });
  });

  it('a segment membership: one identifier type for all, in the query', () => {
    expect(segmentMembershipRequest(7, ['a@example.com', { email: 'b@example.com' }], 'remove_customers')).toEqual({
      api: 'track',
      path: '/api/v1/segments/7/remove_customers?id_type=email',
      body: { ids: ['a@example.com', 'b@example.com'] },
    });
  });

  it('an unsubscribe: at the Track API root, the delivery id encoded', () => {
    expect(unsubscribeRequest('d/1', false)).toEqual({
      api: 'track',
      path: '/unsubscribe/d%2F1',
      body: { unsubscribe: false },
    });
  });

  it('a form submission: POST /api/v1/forms/{id}/submit', () => {
    expect(formSubmissionRequest('signup form', { email: 'a@example.com', plan: 'pro' })).toEqual({
      api: 'track',
      path: '/api/v1/forms/signup%20form/submit',
      body: { data: { email: 'a@example.com', plan: 'pro' } },
    });
  });

  it('transactional messages: the SDK body, with attachments and custom_device added back', async () => {
    const email = emailRequest({
      transactional_message_id: 3,
      identifiers: { id: 'u-1' },
      to: 'a@example.com',
      attachments: { 'a.txt': 'aGk=' },
    });
    expect(email).toMatchObject({ api: 'app', path: '/v1/send/email' });
    expect(email.body).toMatchObject({
      transactional_message_id: 3,
      to: 'a@example.com',
      attachments: { 'a.txt': 'aGk=' },
    });
    const push = pushRequest({
      transactional_message_id: 4,
      identifiers: { id: 'u-1' },
      custom_device: { token: 't', platform: 'ios', attributes: { push_enabled: true } },
    });
    expect(push).toMatchObject({ api: 'app', path: '/v1/send/push' });
    expect(push.body.custom_device).toEqual({ token: 't', platform: 'ios', attributes: { push_enabled: 'true' } });
    const sms = await builtBy(smsRequest({ transactional_message_id: 5, identifiers: { id: 'u-1' } }));
    expect({ method: sms.method, url: sms.url }).toEqual({
      method: 'POST',
      url: 'https://api.example.test/v1/send/sms',
    });
    expect(sms.body).toMatchObject({ transactional_message_id: 5, identifiers: { id: 'u-1' } });
  });

  it('a broadcast trigger: POST /v1/campaigns/{id}/triggers with data and recipients', () => {
    expect(broadcastRequest(12, { data: { sale: true }, recipients: { ids: ['u-1'] } })).toEqual({
      api: 'app',
      path: '/v1/campaigns/12/triggers',
      body: { data: { sale: true }, ids: ['u-1'] },
    });
  });

  it.each([
    [
      'a metric its channel does not take',
      () => metricRequest({ channel: 'push', deliveryId: 'd', metric: 'clicked' } as never),
      'metric (push)',
    ],
    ['a push event out of the list', () => pushMetricRequest({ deliveryId: 'd', event: 'bounced' as never }), 'event'],
    ['a segment id of 0', () => segmentMembershipRequest(0, ['u'], 'add_customers'), 'segmentId'],
    [
      '1,001 people',
      () =>
        segmentMembershipRequest(
          1,
          Array.from({ length: 1_001 }, (_, i) => `u${i}`),
          'add_customers',
        ),
      'people',
    ],
    [
      'people of two identifier types',
      () => segmentMembershipRequest(1, ['u', 'a@example.com'], 'add_customers'),
      'people[1]',
    ],
    ['an unsubscribe that is not a boolean', () => unsubscribeRequest('d', 'yes' as never), 'unsubscribe'],
    ['a form with both email and id', () => formSubmissionRequest('f', { email: 'a@b.c', id: 'u' } as never), 'data'],
    [
      'an attachment that is not base64',
      () =>
        emailRequest({ transactional_message_id: 1, identifiers: { id: 'u' }, to: 'a@b.c', attachments: { f: '%%' } }),
      'attachments.f',
    ],
    ['a blank broadcast id', () => broadcastRequest(' ', {}), 'broadcastId'],
  ])('refuses %s, naming the field', (_label, build, field) => {
    expect(refusal(build).field).toBe(field);
  });
});
