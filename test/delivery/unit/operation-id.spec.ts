import { describe, expect, it } from '@jest/globals';
import { decodeTime, ulid } from 'ulid';
import { createOperationIdFactory, operationIdTime } from '../../../lib/delivery/operation-id.js';

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const ENCODING = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** The random part of `id` (its last 16 digits) as a BigInt. */
const randomOf = (id: string): bigint =>
  [...id.slice(10)].reduce((sum, c) => sum * 32n + BigInt(ENCODING.indexOf(c)), 0n);

describe('createOperationIdFactory', () => {
  it('makes ULIDs carrying the time of the clock', () => {
    const time = Date.UTC(2026, 11, 8, 12, 30, 45, 678);
    const id = createOperationIdFactory(() => time)();
    expect(id).toMatch(ULID);
    expect(decodeTime(id)).toBe(time);
  });

  it('counts up by one within a millisecond, carrying across digits, so 100,000 ids sort as made', () => {
    const next = createOperationIdFactory(() => 1_700_000_000_000);
    const ids = Array.from({ length: 100_000 }, next);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    const notNext = ids.filter(
      (id, index) =>
        index > 0 && (id.slice(0, 10) !== ids[0].slice(0, 10) || randomOf(id) !== randomOf(ids[index - 1]) + 1n),
    );
    expect(notNext).toEqual([]);
  });

  it('draws a fresh random part each new millisecond, and keeps the last time while the clock is behind it', () => {
    let time = 1_700_000_000_000;
    const next = createOperationIdFactory(() => time);
    const first = next();
    time += 1;
    const later = next();
    expect(decodeTime(later)).toBe(time);
    time -= 5;
    const behind = next();
    expect(decodeTime(behind)).toBe(time + 5);
    expect(randomOf(behind)).toBe(randomOf(later) + 1n);
    expect([first, later, behind].sort()).toEqual([first, later, behind]);
    const randoms = new Set(Array.from({ length: 50 }, () => ((time += 1), randomOf(next()))));
    expect(randoms.size).toBe(50);
  });
});

describe('operationIdTime', () => {
  it('reads the time of an id as the ulid package does, ours and its own', () => {
    const times = [1, 1_700_000_000_123, Date.UTC(2026, 11, 8), 2 ** 48 - 1];
    for (const time of times) {
      for (const id of [createOperationIdFactory(() => time)(), ulid(time)]) {
        expect(operationIdTime(id)).toBe(decodeTime(id));
        expect(operationIdTime(id)).toBe(time);
      }
    }
  });

  it('answers undefined for what is not a ULID', () => {
    for (const id of [
      '',
      'customerio:probe',
      '01ARZ3NDEKTSV4RRFFQ69G5FA',
      '01ARZ3NDEKTSV4RRFFQ69G5FAVX',
      '01ARZ3NDEUTSV4RRFFQ69G5FAV',
      '81ARZ3NDEKTSV4RRFFQ69G5FAV',
      'ü1ARZ3NDEKTSV4RRFFQ69G5FAV',
    ]) {
      expect(operationIdTime(id)).toBeUndefined();
    }
  });
});
