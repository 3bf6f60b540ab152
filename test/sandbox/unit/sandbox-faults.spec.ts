/** The scripted faults on their own: which fault a request gets, how often, and what each kind of fault holds. */
import { describe, expect, it } from '@jest/globals';
import { delayFault, type FaultAction, SandboxFaults, statusFault } from '../../../lib/sandbox/sandbox-faults.js';

const hang: FaultAction = { kind: 'hang' };
const reset: FaultAction = { kind: 'reset', afterProcessing: false };

describe('SandboxFaults', () => {
  it('applies no fault when none is scripted, and none after clear()', () => {
    const faults = new SandboxFaults();
    expect(faults.take('GET', '/')).toBeUndefined();
    faults.add({}, hang);
    faults.clear();
    expect(faults.take('GET', '/')).toBeUndefined();
  });

  it('gives each matching request the first fault with uses left, in the order added', () => {
    const faults = new SandboxFaults();
    faults.add({ times: 2 }, hang);
    faults.add({ times: 1 }, reset);
    expect([1, 2, 3, 4].map(() => faults.take('POST', '/api/v2/batch'))).toEqual([hang, hang, reset, undefined]);
  });

  it('applies a fault without times to every matching request', () => {
    const faults = new SandboxFaults();
    faults.add({}, hang);
    for (let i = 0; i < 100; i++) expect(faults.take('GET', `/${i}`)).toBe(hang);
  });

  it('matches a string path as a prefix of the pathname, and a RegExp anywhere in it', () => {
    const faults = new SandboxFaults();
    faults.add({ path: '/api/v1/customers' }, hang);
    faults.add({ path: /batch$/ }, reset);
    expect(faults.take('PUT', '/api/v1/customers/u1')).toBe(hang);
    expect(faults.take('PUT', '/api/v1/customers')).toBe(hang);
    expect(faults.take('PUT', '/api/v1/customer')).toBeUndefined();
    expect(faults.take('POST', '/api/v2/batch')).toBe(reset);
    expect(faults.take('POST', '/api/v2/batch/x')).toBeUndefined();
  });

  it('matches the method whatever its case in the script; a non-matching request leaves the uses alone', () => {
    const faults = new SandboxFaults();
    faults.add({ method: 'put', times: 1 }, hang);
    expect(faults.take('POST', '/api/v1/customers/u1')).toBeUndefined();
    expect(faults.take('PUT', '/api/v1/customers/u1')).toBe(hang);
    expect(faults.take('PUT', '/api/v1/customers/u1')).toBeUndefined();
  });

  it('refuses times below 1 or not a number', () => {
    const faults = new SandboxFaults();
    for (const times of [0, -1, 0.5, Number.NaN]) expect(() => faults.add({ times }, hang)).toThrow(RangeError);
    expect(faults.take('GET', '/')).toBeUndefined();
  });
});

describe('statusFault', () => {
  it('answers the status with a default JSON body, or the body and Retry-After given', () => {
    expect(statusFault(503, {})).toEqual({
      kind: 'status',
      reply: { status: 503, body: { meta: { error: 'scripted 503' } }, headers: {} },
    });
    expect(statusFault(429, { retryAfter: 3, body: 'slow down' })).toEqual({
      kind: 'status',
      reply: { status: 429, body: 'slow down', headers: { 'Retry-After': '3' } },
    });
    expect(statusFault(429, { retryAfter: 'Wed, 21 Oct 2015 07:28:00 GMT' })).toMatchObject({
      reply: { headers: { 'Retry-After': 'Wed, 21 Oct 2015 07:28:00 GMT' } },
    });
  });

  it('sends no body with 204, 205 and 304, even one given', () => {
    for (const status of [204, 205, 304]) {
      expect(statusFault(status, { body: { a: 1 } })).toEqual({ kind: 'status', reply: { status, headers: {} } });
    }
  });

  it('refuses a status outside 200..599 or not an integer', () => {
    for (const status of [199, 600, 42, 200.5, Number.NaN]) {
      expect(() => statusFault(status, {})).toThrow(/status must be an integer from 200 to 599/);
    }
    expect(statusFault(200, {}).kind).toBe('status');
    expect(statusFault(599, {}).kind).toBe('status');
  });
});

describe('delayFault', () => {
  it('waits a finite number of milliseconds >= 0', () => {
    expect(delayFault(0)).toEqual({ kind: 'delay', ms: 0 });
    expect(delayFault(60)).toEqual({ kind: 'delay', ms: 60 });
    for (const ms of [-1, Infinity, Number.NaN]) expect(() => delayFault(ms)).toThrow(RangeError);
  });
});
