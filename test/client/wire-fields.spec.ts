import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { type CustomerIOMetric, CustomerIOValidationError } from '../../lib/index.js';
import { CUSTOMERIO_METRICS, type CustomerIOMetricChannel } from '../../lib/operations/delivery-metric.operation.js';
import { lastTo, startWireCapture, type WireCapture } from '../support/wire-capture.js';

declare const SDK_MAJOR: 4 | 5;

/** What `call` threw synchronously, or what its promise rejected with. */
async function refusal(call: () => unknown): Promise<CustomerIOValidationError> {
  let error: unknown;
  try {
    await call();
  } catch (thrown) {
    error = thrown;
  }
  expect(error).toBeInstanceOf(CustomerIOValidationError);
  return error as CustomerIOValidationError;
}

describe(`device attributes, metrics and transactional fields on the wire, customerio-node ${SDK_MAJOR}.x`, () => {
  let wire: WireCapture;

  beforeAll(async () => {
    wire = await startWireCapture();
  });
  afterEach(() => wire.reset());
  afterAll(() => wire.close());

  describe('device attributes', () => {
    const given = { push_enabled: true, build: 42, app_version: '1.2.0', beta: false };
    const sent = { push_enabled: 'true', build: '42', app_version: '1.2.0', beta: 'false' };

    it('are sent as strings, booleans and numbers as their text, queued and direct', async () => {
      const { delivered } = wire.subject.client.addDevice('u-1', 'tok-1', 'ios', {
        attributes: given,
        lastUsed: 1_700_000_000,
      });
      await wire.subject.client.flush();
      await delivered;
      expect(wire.batchedOperations().at(-1)?.device).toEqual({
        token: 'tok-1',
        platform: 'ios',
        last_used: 1_700_000_000,
        attributes: sent,
      });
      await wire.subject.direct.addDevice('u-2', 'tok-2', 'android', { attributes: given });
      const request = lastTo(wire.proxy.requests, '/api/v1/customers/u-2/devices');
      expect(request.body).toEqual({ device: { id: 'tok-2', platform: 'android', attributes: sent } });
      expect(wire.sandbox.people.get('u-2')?.devices['tok-2']?.attributes).toEqual(sent);
    });

    it.each([
      ['an object', { meta: { a: 1 } }, 'attributes.meta'],
      ['an array', { tags: ['a'] }, 'attributes.tags'],
      ['null', { carrier: null }, 'attributes.carrier'],
      ['a push_enabled that is not true or false', { push_enabled: 'yes' }, 'attributes.push_enabled'],
      ['a non-finite number', { build: Number.NaN }, 'attributes.build'],
    ])('refuse %s at the call site, naming the attribute, on both paths', async (_label, attributes, field) => {
      const options = { attributes: attributes as never };
      expect((await refusal(() => wire.subject.client.addDevice('u-1', 't', 'ios', options))).field).toBe(field);
      expect((await refusal(() => wire.subject.direct.addDevice('u-1', 't', 'ios', options))).field).toBe(field);
      expect(wire.proxy.requests).toEqual([]);
    });
  });

  describe('trackMetric', () => {
    const cases = (Object.keys(CUSTOMERIO_METRICS) as CustomerIOMetricChannel[]).flatMap((channel) =>
      CUSTOMERIO_METRICS[channel].map((metric) => [channel, metric] as const),
    );

    it.each(cases)('sends %s metric "%s" (the channel is checked, not sent)', async (channel, metric) => {
      await wire.subject.client.trackMetric({
        channel,
        metric,
        deliveryId: 'dlv-1',
        timestamp: 1_700_000_000,
      } as CustomerIOMetric);
      expect(lastTo(wire.proxy.requests, '/api/v1/metrics')).toMatchObject({
        status: 200,
        body: { delivery_id: 'dlv-1', metric, timestamp: 1_700_000_000 },
      });
      expect(wire.sandbox.metrics).toEqual([{ delivery_id: 'dlv-1', metric, timestamp: 1_700_000_000 }]);
    });

    it('takes "deferred" without a channel, and the fields of the channel given', async () => {
      await wire.subject.client.trackMetric({ deliveryId: 'd', metric: 'deferred', reason: 'mailbox full' });
      await wire.subject.client.trackMetric({
        channel: 'sms',
        deliveryId: 'd',
        metric: 'bounced',
        recipient: 14155552671,
      });
      await wire.subject.client.trackMetric({
        channel: 'email',
        deliveryId: 'd',
        metric: 'clicked',
        href: 'https://example.com',
      });
      expect(
        wire.sandbox.metrics.map(({ metric, reason, recipient, href }) => ({ metric, reason, recipient, href })),
      ).toEqual([
        { metric: 'deferred', reason: 'mailbox full' },
        { metric: 'bounced', recipient: 14155552671 },
        { metric: 'clicked', href: 'https://example.com' },
      ]);
    });

    it.each([
      ['"failed", which no channel takes', { deliveryId: 'd', metric: 'failed' }, 'metric'],
      ['"sent", which no channel takes', { deliveryId: 'd', metric: 'sent' }, 'metric'],
      ['a metric the channel does not take', { channel: 'push', deliveryId: 'd', metric: 'clicked' }, 'metric (push)'],
      [
        'a field the channel does not take',
        { channel: 'push', deliveryId: 'd', metric: 'opened', href: 'https://x' },
        'href',
      ],
      [
        'an SMS recipient that is not an integer',
        { channel: 'sms', deliveryId: 'd', metric: 'delivered', recipient: '+1415' },
        'recipient',
      ],
      ['an unknown channel', { channel: 'fax', deliveryId: 'd', metric: 'opened' }, 'channel'],
    ])('refuses %s at the call site', async (_label, metric, field) => {
      expect((await refusal(() => wire.subject.client.trackMetric(metric as CustomerIOMetric))).field).toBe(field);
      expect(wire.proxy.requests).toEqual([]);
    });

    it('types the metric names per channel', () => {
      // @ts-expect-error: no channel takes "failed"
      const failed: CustomerIOMetric = { deliveryId: 'd', metric: 'failed' };
      // @ts-expect-error: push takes converted, delivered, opened
      const clicked: CustomerIOMetric = { channel: 'push', deliveryId: 'd', metric: 'clicked' };
      // @ts-expect-error: slack takes no recipient
      const recipient: CustomerIOMetric = { channel: 'slack', deliveryId: 'd', metric: 'opened', recipient: 'x' };
      const deferred: CustomerIOMetric = { channel: 'email', deliveryId: 'd', metric: 'deferred' };
      expect([failed, clicked, recipient, deferred]).toHaveLength(4);
    });
  });

  describe('transactional messages', () => {
    const identifiers = { id: 'u-1' };

    it('sendEmail sends its attachments', async () => {
      const attachments = { 'invoice.pdf': Buffer.from('%PDF-1.7').toString('base64') };
      await wire.subject.client.sendEmail({
        to: 'u@example.com',
        identifiers,
        transactional_message_id: 7,
        attachments,
      });
      expect(wire.sandbox.transactional.at(-1)).toMatchObject({ kind: 'email', body: { attachments } });
    });

    it('sendPush sends custom_device, its attributes as strings', async () => {
      const custom_device = { token: 'tok-9', platform: 'ios' as const, attributes: { push_enabled: true, build: 42 } };
      await wire.subject.client.sendPush({ identifiers, transactional_message_id: 8, custom_device });
      expect(wire.sandbox.transactional.at(-1)).toMatchObject({
        kind: 'push',
        body: { custom_device: { token: 'tok-9', platform: 'ios', attributes: { push_enabled: 'true', build: '42' } } },
      });
    });

    it('refuses an attachment that is not base64 text, and a custom_device without a token', async () => {
      const email = {
        to: 'u@example.com',
        identifiers,
        transactional_message_id: 7,
        attachments: { 'a.txt': 'not base64!' },
      };
      expect((await refusal(() => wire.subject.client.sendEmail(email))).field).toBe('attachments.a.txt');
      const push = { identifiers, transactional_message_id: 8, custom_device: { platform: 'ios' } };
      expect((await refusal(() => wire.subject.client.sendPush(push as never))).field).toBe('custom_device.token');
      expect((await refusal(() => wire.subject.direct.sendPush(push as never))).field).toBe('custom_device.token');
      expect(wire.proxy.requests).toEqual([]);
    });
  });
});
