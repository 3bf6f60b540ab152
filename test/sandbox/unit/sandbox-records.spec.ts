/** The recorder on its own: collections bounded by maxRecords, counts that keep counting, deduplication, reset. */
import { describe, expect, it } from '@jest/globals';
import { SandboxRecords } from '../../../lib/sandbox/sandbox-records.js';

describe('SandboxRecords', () => {
  it('keeps the last maxRecords entries of a list, while its count keeps counting', () => {
    const records = new SandboxRecords(2);
    for (const name of ['a', 'b', 'c']) records.add('deletedPeople', name);
    records.add('forms', { formId: 'f', data: {} });
    expect(records.deletedPeople).toEqual(['b', 'c']);
    expect(records.counts).toMatchObject({ deletedPeople: 3, forms: 1, events: 0 });
  });

  it('forgets the person least recently written past maxRecords, and counts each person created', () => {
    const records = new SandboxRecords(2);
    records.person('u1').attributes.plan = 'pro';
    records.person('u2');
    expect(records.person('u1').attributes).toEqual({ plan: 'pro' }); // written again: now the most recent
    records.person('u3');
    expect([...records.people.keys()]).toEqual(['u1', 'u3']);
    expect(records.person('u2')).toEqual({ id: 'u2', attributes: {}, devices: {}, suppressed: false });
    expect(records.counts.people).toBe(4);
  });

  it('forgets the object least recently written past maxRecords, and counts each object created', () => {
    const records = new SandboxRecords(1);
    records.object('1:a');
    records.object('1:a');
    expect(records.counts.objects).toBe(1);
    records.object('1:b');
    expect([...records.objects.keys()]).toEqual(['1:b']);
    expect(records.object('1:a')).toEqual({ key: '1:a', attributes: {}, relationships: {} });
    expect(records.counts.objects).toBe(3);
  });

  it('remembers the last maxRecords event ids, counting the duplicates it catches', () => {
    const records = new SandboxRecords(2);
    expect(['e1', 'e2', 'e1'].map((id) => records.isDuplicateEvent(id))).toEqual([false, false, true]);
    expect(records.isDuplicateEvent('e3')).toBe(false); // e1 leaves the window
    expect(records.isDuplicateEvent('e1')).toBe(false);
    expect(records.duplicateEvents).toBe(1);
  });

  it('keeps everything with maxRecords Infinity', () => {
    const records = new SandboxRecords(Infinity);
    for (let i = 0; i < 20_000; i++) records.add('metrics', { i });
    expect(records.metrics).toHaveLength(20_000);
  });

  it('hands out a copy of the counts', () => {
    const records = new SandboxRecords(10);
    const counts = records.counts;
    counts.events = 99;
    expect(records.counts.events).toBe(0);
  });

  it('reset() forgets everything and zeroes the counts, keeping the same collections', () => {
    const records = new SandboxRecords(10);
    const { events, people, segments } = records;
    records.add('events', { name: 'e', type: 'event', data: {}, api: 'v2' });
    records.person('u1');
    records.segments.set(1, new Set(['u1']));
    records.isDuplicateEvent('e1');
    records.isDuplicateEvent('e1');
    records.reset();
    expect([records.events, records.people, records.segments]).toEqual([[], new Map(), new Map()]);
    expect(records.events).toBe(events);
    expect(records.people).toBe(people);
    expect(records.segments).toBe(segments);
    expect(Object.values(records.counts).every((count) => count === 0)).toBe(true);
    expect(records.duplicateEvents).toBe(0);
    expect(records.isDuplicateEvent('e1')).toBe(false);
  });
});
