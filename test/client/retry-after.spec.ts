import { describe, expect, it } from '@jest/globals';
import { parseRetryAfter } from '../../lib/transport/retry-after.js';

const NOW = Date.UTC(2026, 11, 1, 12, 0, 0); // Tue, 01 Dec 2026 12:00:00 GMT

describe('parseRetryAfter: delta-seconds (digits only) and HTTP dates; anything else falls back to the backoff', () => {
  it.each<[string, number]>([
    ['0', 0],
    ['7', 7_000],
    ['120', 120_000],
    [' 5 ', 5_000],
    ['007', 7_000],
    ['99999999999999999999', 2 ** 31 * 1000],
  ])('delta-seconds %j is %i ms', (header, ms) => {
    expect(parseRetryAfter(header, NOW)).toBe(ms);
  });

  it.each<[string, number]>([
    ['Tue, 01 Dec 2026 12:00:30 GMT', 30_000], // IMF-fixdate
    ['Tuesday, 01-Dec-26 12:01:00 GMT', 60_000], // obsolete rfc850-date
    ['Tue Dec  1 12:00:02 2026', 2_000], // obsolete asctime-date, a one-digit day
    ['Thu, 31 Dec 2026 12:00:00 GMT', 30 * 86_400_000],
    ['Sun, 06 Nov 1994 08:49:37 GMT', 0], // past: retry at once
    ['Sunday, 06-Nov-94 08:49:37 GMT', 0], // a two-digit year more than 50 years ahead is in the past century
  ])('the HTTP date %j is %i ms away', (header, ms) => {
    expect(parseRetryAfter(header, NOW)).toBe(ms);
  });

  it.each([
    '1e3', // a number, not delta-seconds
    '0x10',
    '0b11',
    '1.5',
    '-1',
    '+5',
    '5, 10', // two values joined
    'Infinity',
    'soon',
    '',
    '   ',
    'Mon, 01 Dec 2026 12:00:30 GMT', // wrong weekday
    'Tue, 31 Feb 2026 12:00:30 GMT', // no such day
    'Tue, 01 Dec 2026 24:00:30 GMT', // no such hour
    'Tue, 01 Dec 2026 12:00:30 UTC', // HTTP dates are GMT
    'tue, 01 dec 2026 12:00:30 gmt', // names are case-sensitive
    '2026-12-01T12:00:30Z', // ISO 8601 is not an HTTP date
    'December 1, 2026 12:00:30', // Date.parse reads it; HTTP does not
    'Tue, 01 Dec 2026 12:00:30 GMT, 5',
  ])('%j is not read: undefined', (header) => {
    expect(parseRetryAfter(header, NOW)).toBeUndefined();
  });

  it('an absent header is undefined', () => {
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
  });
});
