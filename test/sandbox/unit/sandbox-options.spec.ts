/** The sandbox's options on their own: defaults, the maxRecords check, credentials and origin. */
import { describe, expect, it } from '@jest/globals';
import { resolveSandboxOptions, sandboxAuthorization, sandboxOrigin } from '../../../lib/sandbox/sandbox-options.js';

describe('resolveSandboxOptions', () => {
  it('fills in every default', () => {
    expect(resolveSandboxOptions({})).toEqual({
      siteId: 'sandbox-site',
      apiKey: 'sandbox-api-key',
      appApiKey: 'sandbox-app-api-key',
      pipelinesKey: 'sandbox-pipelines-key',
      host: '127.0.0.1',
      port: 0,
      maxRecords: 10_000,
      strict: true,
      region: 'us',
    });
  });

  it('keeps what is given', () => {
    const given = {
      siteId: 's',
      apiKey: 'k',
      appApiKey: 'a',
      pipelinesKey: 'p',
      host: '::1',
      port: 4000,
      maxRecords: Infinity,
      strict: false,
      region: 'eu' as const,
    };
    expect(resolveSandboxOptions(given)).toEqual(given);
  });

  it('accepts maxRecords an integer >= 1 or Infinity, and refuses anything else naming it', () => {
    expect(resolveSandboxOptions({ maxRecords: 1 }).maxRecords).toBe(1);
    for (const maxRecords of [0, -1, 1.5, Number.NaN, -Infinity]) {
      expect(() => resolveSandboxOptions({ maxRecords })).toThrow(
        new RangeError(`CustomerIOSandbox: maxRecords must be an integer >= 1 or Infinity, got ${maxRecords}`),
      );
    }
  });
});

describe('sandboxAuthorization', () => {
  it('expects HTTP Basic site id and API key on the Track API, a Bearer App API key on the App API, HTTP Basic key and empty password on the Pipelines API', () => {
    const options = resolveSandboxOptions({
      siteId: 'site',
      apiKey: 'key:with:colons',
      appApiKey: 'app',
      pipelinesKey: 'cdp',
    });
    expect(sandboxAuthorization(options)).toEqual({
      track: `Basic ${Buffer.from('site:key:with:colons').toString('base64')}`,
      app: 'Bearer app',
      pipelines: `Basic ${Buffer.from('cdp:').toString('base64')}`,
    });
  });
});

describe('sandboxOrigin', () => {
  it('puts an IPv6 host in brackets', () => {
    expect(sandboxOrigin('127.0.0.1', 4000)).toBe('http://127.0.0.1:4000');
    expect(sandboxOrigin('localhost', 80)).toBe('http://localhost:80');
    expect(sandboxOrigin('::1', 4000)).toBe('http://[::1]:4000');
  });
});
