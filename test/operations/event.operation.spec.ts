import { describe, expect, it } from '@jest/globals';
import { v1EventsBody } from '../../lib/delivery/queued-operation.format.js';
import { anonymousEventOperation } from '../../lib/operations/anonymous-event.operation.js';
import { eventOperation, queuedEvent } from '../../lib/operations/event.operation.js';
import { builtBy, entityBody, queued, refusal, TRACK_URL } from './sdk-request.js';

declare const SDK_MAJOR: 4 | 5;

describe(`event operations, customerio-node ${SDK_MAJOR}.x`, () => {
  const data = { plan: 'pro', amount: 12.5 };
  const at = { timestamp: 1_700_000_000 };

  it('queues an event written with the operation id, unless the caller chose one', () => {
    const operation = eventOperation('u-1', 'event', 'purchase', data, at);
    expect(operation.key).toBe('u-1');
    expect(queued(operation, 'op-7')).toEqual({
      type: 'person',
      identifiers: { id: 'u-1' },
      action: 'event',
      id: 'op-7',
      name: 'purchase',
      timestamp: 1_700_000_000,
      attributes: data,
    });
    expect(queued(eventOperation('u-1', 'event', 'purchase', undefined, { ...at, id: 'mine' }), 'op-7')).toEqual({
      type: 'person',
      identifiers: { id: 'u-1' },
      action: 'event',
      id: 'mine',
      name: 'purchase',
      timestamp: 1_700_000_000,
    });
  });

  it.each(['event', 'page', 'screen'] as const)(
    "queues a %s through queuedEvent (the facade's hot path) exactly as eventOperation writes it",
    (action) => {
      const hot = queuedEvent({ cio_id: 'abc' }, action, 'n', data, at);
      const full = eventOperation('cio_abc', action, 'n', data, at);
      expect(hot.key).toBe(full.key);
      expect(queued(hot, 'op-5')).toEqual(queued(full, 'op-5'));
      expect(queued(full, 'op-5')).toMatchObject({ identifiers: { cio_id: 'abc' }, action });
      expect(refusal(() => queuedEvent('u', action, '')).field).toBe(action === 'page' ? 'path' : 'name');
    },
  );

  it('stamps an event with the time of the call by default', () => {
    const before = Math.floor(Date.now() / 1000);
    const { timestamp } = queued(eventOperation('u-1', 'event', 'purchase')) as { timestamp: number };
    expect(timestamp).toBeGreaterThanOrEqual(before);
    expect(timestamp).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
  });

  it('sends an event to v1 POST /customers/{id}/events, and a page view there with type page', async () => {
    expect(await builtBy(eventOperation('u-1', 'event', 'purchase', data, at).direct())).toEqual({
      method: 'POST',
      url: `${TRACK_URL}/api/v1/customers/u-1/events`,
      body: { name: 'purchase', data, timestamp: 1_700_000_000 },
    });
    const page = eventOperation('u-1', 'page', '/pricing', undefined, { ...at, id: 'p-1' });
    expect(queued(page)).toMatchObject({ action: 'page', name: '/pricing', id: 'p-1' });
    expect(await builtBy(page.direct())).toEqual({
      method: 'POST',
      url: `${TRACK_URL}/api/v1/customers/u-1/events`,
      body: { name: '/pricing', timestamp: 1_700_000_000, id: 'p-1', type: 'page' },
    });
  });

  it('sends a screen view, and an event of a person v1 would misread, to /api/v2/entity', () => {
    const screen = eventOperation('u-1', 'screen', 'Home', data, at);
    expect(entityBody(screen.direct(), 'op-2')).toEqual(queued(screen, 'op-2'));
    expect(queued(screen)).toMatchObject({ action: 'screen', name: 'Home', attributes: data });
    const misread = eventOperation({ id: 'a@example.com' }, 'event', 'purchase', data, at);
    expect(entityBody(misread.direct())).toMatchObject({ identifiers: { id: 'a@example.com' }, id: 'op-1' });
  });

  it('queues an anonymous event in the /api/v1/events envelope, keyed by the anonymous id', () => {
    const operation = anonymousEventOperation('anon-1', 'visit', data, at);
    expect(operation.key).toBe('anon-1');
    const json = (operation.json as (id: string) => string)('op-3');
    expect(JSON.parse(v1EventsBody(json)!)).toEqual({
      anonymous_id: 'anon-1',
      id: 'op-3',
      name: 'visit',
      timestamp: 1_700_000_000,
      data,
    });
    const event = eventOperation('u-1', 'event', 'visit').json as (id: string) => string;
    expect(v1EventsBody(event('op-4'))).toBeUndefined();
  });

  it('sends an anonymous event directly to v1 POST /events', async () => {
    expect(await builtBy(anonymousEventOperation('anon-1', 'visit', data, at).direct())).toEqual({
      method: 'POST',
      url: `${TRACK_URL}/api/v1/events`,
      body: { anonymous_id: 'anon-1', name: 'visit', data, timestamp: 1_700_000_000 },
    });
  });

  it.each([
    ['an event name over 100 bytes', () => eventOperation('u', 'event', 'n'.repeat(101)), 'name', '100 bytes'],
    ['a blank page path', () => eventOperation('u', 'page', ''), 'path', 'non-blank'],
    ['event data that is not an object', () => eventOperation('u', 'screen', 's', [] as never), 'data', 'object'],
    [
      'event data over 100,000 bytes',
      () => eventOperation('u', 'event', 'n', { x: 'x'.repeat(100_000) }),
      'data',
      '100000 bytes',
    ],
    ['a blank event id', () => eventOperation('u', 'event', 'n', undefined, { id: ' ' }), 'id', 'non-blank'],
    ['an anonymous id over 150 bytes', () => anonymousEventOperation('a'.repeat(151), 'n'), 'anonymousId', '150 bytes'],
  ])('refuses %s, naming the field and the limit', (_label, build, field, limit) => {
    expect(refusal(build)).toMatchObject({ field, limit });
  });
});
