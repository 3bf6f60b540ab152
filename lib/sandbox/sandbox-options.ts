import type { SandboxHttpParts } from './sandbox-http.server.js';
import type { CustomerIOSandboxOptions } from './sandbox.interface.js';

/** Default of `CustomerIOSandboxOptions.maxRecords`. */
export const DEFAULT_MAX_RECORDS = 10_000;

/** The sandbox's options with every default filled in (internal). */
export type ResolvedSandboxOptions = Required<CustomerIOSandboxOptions>;

/** Fills in the defaults of `options`; throws a RangeError for a `maxRecords` that is not an integer >= 1 nor `Infinity`. */
export function resolveSandboxOptions(options: CustomerIOSandboxOptions): ResolvedSandboxOptions {
  return {
    siteId: options.siteId ?? 'sandbox-site',
    apiKey: options.apiKey ?? 'sandbox-api-key',
    appApiKey: options.appApiKey ?? 'sandbox-app-api-key',
    pipelinesKey: options.pipelinesKey ?? 'sandbox-pipelines-key',
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    maxRecords: checkMaxRecords(options.maxRecords ?? DEFAULT_MAX_RECORDS),
    strict: options.strict ?? true,
    region: options.region ?? 'us',
  };
}

function checkMaxRecords(maxRecords: number): number {
  if (maxRecords === Infinity || (Number.isInteger(maxRecords) && maxRecords >= 1)) return maxRecords;
  throw new RangeError(`CustomerIOSandbox: maxRecords must be an integer >= 1 or Infinity, got ${maxRecords}`);
}

/**
 * The `Authorization` header each kind of credentials must match: HTTP Basic for the Track API (site id and API key)
 * and the Pipelines API (the key and an empty password), Bearer for the App API.
 */
export function sandboxAuthorization(options: ResolvedSandboxOptions): SandboxHttpParts['authorization'] {
  return {
    track: `Basic ${Buffer.from(`${options.siteId}:${options.apiKey}`).toString('base64')}`,
    app: `Bearer ${options.appApiKey}`,
    pipelines: `Basic ${Buffer.from(`${options.pipelinesKey}:`).toString('base64')}`,
  };
}

/** The origin, `http://HOST:PORT`, of a sandbox listening on `host` (an IPv6 address in brackets) and `port`. */
export function sandboxOrigin(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
