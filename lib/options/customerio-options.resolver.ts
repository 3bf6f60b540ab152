import { CUSTOMERIO_APP_API_ORIGINS, CUSTOMERIO_TRACK_ORIGINS, DEFAULT_TIMEOUT_MS } from '../customerio.constants.js';
import {
  INVALID_REGION,
  INVALID_TIMEOUT,
  INVALID_URL,
  MISSING_OPTION,
  optionLabel,
} from '../customerio.messages.js';
import { CustomerIOConfigError } from '../client/customerio.errors.js';
import type { CustomerIOModuleOptions, CustomerIORegion } from '../interfaces/customerio-module-options.interface.js';
import { RedactedSecret } from './redacted-secret.js';
import type { ResolvedCustomerIOOptions } from './resolved-options.interface.js';

/**
 * Where each option was read from (a config variable name), so that errors can point at it.
 * Set by {@link customerIOOptionsFromConfig}; kept under a symbol so it survives object spread.
 */
export const CUSTOMERIO_OPTION_SOURCES = Symbol.for('nestjs-customerio.option-sources');

type OptionsWithSources = CustomerIOModuleOptions & {
  [CUSTOMERIO_OPTION_SOURCES]?: Partial<Record<keyof CustomerIOModuleOptions, string>>;
};

/** Validates the module options and fills in defaults; throws {@link CustomerIOConfigError} naming the option. */
export function resolveCustomerIOOptions(options: CustomerIOModuleOptions): ResolvedCustomerIOOptions {
  const sources = (options as OptionsWithSources | undefined)?.[CUSTOMERIO_OPTION_SOURCES] ?? {};
  const fail = (option: keyof CustomerIOModuleOptions, message: (label: string, got: unknown) => string): never => {
    throw new CustomerIOConfigError(option, message(optionLabel(option, sources[option]), options?.[option]));
  };
  const required = (option: 'siteId' | 'apiKey'): string => {
    const value = options?.[option];
    return isNonBlank(value) ? value : fail(option, MISSING_OPTION);
  };

  const siteId = required('siteId');
  const apiKey = new RedactedSecret(required('apiKey'));
  let appApiKey: RedactedSecret | undefined;
  if (options.appApiKey !== undefined) {
    appApiKey = isNonBlank(options.appApiKey) ? new RedactedSecret(options.appApiKey) : fail('appApiKey', MISSING_OPTION);
  }
  const region: CustomerIORegion = options.region ?? 'us';
  if (region !== 'us' && region !== 'eu') fail('region', INVALID_REGION);
  const timeoutMs = options.timeout ?? DEFAULT_TIMEOUT_MS;
  if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0) fail('timeout', INVALID_TIMEOUT);
  const url = (option: 'trackUrl' | 'appApiUrl', fallback: string): string => {
    const value = options[option];
    if (value === undefined) return fallback;
    return normalizeBaseUrl(value) ?? fail(option, INVALID_URL);
  };

  return Object.freeze({
    siteId,
    apiKey,
    appApiKey,
    region,
    trackUrl: url('trackUrl', CUSTOMERIO_TRACK_ORIGINS[region]),
    appApiUrl: url('appApiUrl', CUSTOMERIO_APP_API_ORIGINS[region]),
    timeoutMs,
  });
}

function isNonBlank(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

/** An http(s) base URL without credentials, query or fragment, with no trailing slash; undefined if malformed. */
function normalizeBaseUrl(value: unknown): string | undefined {
  if (typeof value !== 'string' || !URL.canParse(value)) return undefined;
  const url = new URL(value);
  const usable =
    (url.protocol === 'http:' || url.protocol === 'https:') && !url.username && !url.password && !url.search && !url.hash;
  return usable ? `${url.origin}${url.pathname.replace(/\/+$/, '')}` : undefined;
}
