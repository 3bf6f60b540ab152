import type { CustomerIOModuleOptions } from '../interfaces/customerio-module-options.interface.js';
import { CUSTOMERIO_OPTION_SOURCES } from './customerio-options.resolver.js';
import { redactOptionsOutput } from './redacted-secret.js';

/** Anything that reads configuration by key: `@nestjs/config`'s `ConfigService`, or a plain wrapper of `process.env`. */
export interface CustomerIOConfigReader {
  get(key: string): unknown;
}

/** The environment variables {@link customerIOOptionsFromConfig} reads, by option. */
export const CUSTOMERIO_CONFIG_KEYS = {
  mode: 'CUSTOMERIO_MODE',
  api: 'CUSTOMERIO_API',
  siteId: 'CUSTOMERIO_SITE_ID',
  apiKey: 'CUSTOMERIO_API_KEY',
  appApiKey: 'CUSTOMERIO_APP_API_KEY',
  pipelinesKey: 'CUSTOMERIO_PIPELINES_KEY',
  region: 'CUSTOMERIO_REGION',
  trackUrl: 'CUSTOMERIO_TRACK_URL',
  appApiUrl: 'CUSTOMERIO_APP_API_URL',
  pipelinesUrl: 'CUSTOMERIO_PIPELINES_URL',
  timeout: 'CUSTOMERIO_TIMEOUT_MS',
  logLevel: 'CUSTOMERIO_LOG_LEVEL',
} as const satisfies Partial<Record<keyof CustomerIOModuleOptions, string>>;

/**
 * Builds module options from configuration variables ({@link CUSTOMERIO_CONFIG_KEYS}), for
 * `forRootAsync({ inject: [ConfigService], useFactory: (config) => customerIOOptionsFromConfig(config) })`.
 * Unset variables are left out, so defaults apply; a validation error at start-up names the variable.
 * `util.inspect` and `JSON.stringify` of the object returned (and of copies spread from it) print the keys
 * `[redacted]`; reading `apiKey` (or `appApiKey`, `pipelinesKey`) still returns the key.
 */
export function customerIOOptionsFromConfig(
  config: CustomerIOConfigReader = { get: (key) => process.env[key] },
): CustomerIOModuleOptions {
  const options: Record<string, unknown> = {};
  const sources: Record<string, string> = {};
  for (const [option, key] of Object.entries(CUSTOMERIO_CONFIG_KEYS)) {
    const value = config.get(key);
    sources[option] = key;
    if (value === undefined) continue;
    options[option] = option === 'timeout' && typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  }
  return redactOptionsOutput(
    Object.assign(options as unknown as CustomerIOModuleOptions, { [CUSTOMERIO_OPTION_SOURCES]: sources }),
  );
}
