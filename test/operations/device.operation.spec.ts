import { describe, expect, it } from '@jest/globals';
import { addDeviceOperation, deleteDeviceOperation } from '../../lib/operations/device.operation.js';
import { builtBy, entityBody, queued, refusal, TRACK_URL } from './sdk-request.js';

declare const SDK_MAJOR: 4 | 5;

describe(`device operations, customerio-node ${SDK_MAJOR}.x`, () => {
  const options = { lastUsed: new Date('2024-01-02T03:04:05Z'), attributes: { push_enabled: true, build: 42 } };

  it('queues add_device with the token, platform, attributes as strings and last_used', () => {
    const operation = addDeviceOperation('u-1', 'tok-1', 'ios', options);
    expect(operation.key).toBe('u-1');
    expect(queued(operation)).toEqual({
      type: 'person',
      identifiers: { id: 'u-1' },
      action: 'add_device',
      device: {
        token: 'tok-1',
        platform: 'ios',
        attributes: { push_enabled: 'true', build: '42' },
        last_used: 1_704_164_645,
      },
    });
  });

  it('sends v1 PUT /customers/{id}/devices directly', async () => {
    expect(await builtBy(addDeviceOperation('u-1', 'tok-1', 'android', options).direct())).toEqual({
      method: 'PUT',
      url: `${TRACK_URL}/api/v1/customers/u-1/devices`,
      body: {
        device: {
          id: 'tok-1',
          platform: 'android',
          last_used: 1_704_164_645,
          attributes: { push_enabled: 'true', build: '42' },
        },
      },
    });
  });

  it('queues delete_device, and sends v1 DELETE …/devices/{token} directly', async () => {
    const operation = deleteDeviceOperation('u-1', 'tok/1');
    expect(queued(operation)).toEqual({
      type: 'person',
      identifiers: { id: 'u-1' },
      action: 'delete_device',
      device: { token: 'tok/1' },
    });
    const { method, url } = await builtBy(operation.direct());
    expect(method).toBe('DELETE');
    expect(url).toBe(`${TRACK_URL}/api/v1/customers/u-1/devices/tok%2F1`);
    expect(entityBody(deleteDeviceOperation({ phone: '+14155550100' }, 't').direct())).toMatchObject({
      identifiers: { phone: '+14155550100' },
      action: 'delete_device',
    });
  });

  it.each([
    ['a platform other than ios or android', () => addDeviceOperation('u', 't', 'web' as never), 'platform'],
    ['a blank device id', () => deleteDeviceOperation('u', ''), 'deviceId'],
    [
      'a push_enabled other than true or false',
      () => addDeviceOperation('u', 't', 'ios', { attributes: { push_enabled: 'yes' } }),
      'attributes.push_enabled',
    ],
    [
      'an attribute that is an object',
      () => addDeviceOperation('u', 't', 'ios', { attributes: { a: {} as never } }),
      'attributes.a',
    ],
    ['a lastUsed in milliseconds', () => addDeviceOperation('u', 't', 'ios', { lastUsed: Date.now() }), 'lastUsed'],
  ])('refuses %s, naming the field', (_label, build, field) => {
    expect(refusal(build).field).toBe(field);
  });
});
