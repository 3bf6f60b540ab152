import { Logger } from '@nestjs/common';
import type { ConfigService } from '@nestjs/config';
import {
  CUSTOMERIO_CONFIG_KEYS,
  type CustomerIOMode,
  type CustomerIOModuleOptions,
  customerIOOptionsFromConfig,
} from '../lib/index.js';

const isSet = (value: unknown): boolean => typeof value === 'string' && value.trim() !== '';

/** The variables that hold Customer.io credentials: the Track API's pair, or the Pipelines API's key. */
const CREDENTIALS = [CUSTOMERIO_CONFIG_KEYS.siteId, CUSTOMERIO_CONFIG_KEYS.apiKey, CUSTOMERIO_CONFIG_KEYS.pipelinesKey];

/** The mode this app runs the module in: `CUSTOMERIO_MODE`, else `live` with credentials and `sandbox` without. */
export function sampleMode(config: ConfigService): CustomerIOMode {
  const credentials = CREDENTIALS.some((key) => isSet(config.get(key)));
  return config.get<CustomerIOMode>(CUSTOMERIO_CONFIG_KEYS.mode) ?? (credentials ? 'live' : 'sandbox');
}

/**
 * This app's `CustomerIOModule` options, from the `CUSTOMERIO_*` variables. With `CUSTOMERIO_SITE_ID` or
 * `CUSTOMERIO_API_KEY` (or, with `CUSTOMERIO_API=pipelines`, `CUSTOMERIO_PIPELINES_KEY`) set, it sends to
 * Customer.io (with a credential missing the module refuses to start, naming it). With none, and no
 * `CUSTOMERIO_MODE`, it runs in mode `'sandbox'`: the module starts a local Customer.io sandbox in this process,
 * sends there (through the API `CUSTOMERIO_API` names), and closes it with the app. `CUSTOMERIO_MODE` picks the
 * mode itself (`disabled` sends nothing).
 */
export function customerIOOptions(config: ConfigService): CustomerIOModuleOptions {
  const logger = new Logger('CustomerIO');
  const options = customerIOOptionsFromConfig(config);
  const mode = sampleMode(config);
  const pipelines = options.api === 'pipelines';
  if (options.mode === undefined && mode === 'sandbox') {
    const unset = pipelines
      ? `${CUSTOMERIO_CONFIG_KEYS.pipelinesKey} is`
      : `${CUSTOMERIO_CONFIG_KEYS.siteId} and ${CUSTOMERIO_CONFIG_KEYS.apiKey} are`;
    logger.log(`${unset} not set: running in mode 'sandbox' (${CUSTOMERIO_CONFIG_KEYS.mode} picks another)`);
  }
  if (mode === 'live') {
    const [name, url] = pipelines ? ['Pipelines API', options.pipelinesUrl] : ['Track API', options.trackUrl];
    logger.log(
      `Sending to Customer.io (${url === undefined ? `${name}, region ${options.region ?? 'us'}` : `${name} at ${url}`})`,
    );
  }
  const where = mode === 'sandbox' ? 'the local sandbox' : 'Customer.io';
  const operations = (count: number): string => `${count} operation${count === 1 ? '' : 's'}`;
  // NOTE: typed as the module's options; the module checks at start-up that mode live has its credentials.
  // SANDBOX_MAX_RECORDS: most entries the sandbox keeps of each thing it records (its default otherwise)
  const maxRecords = config.get<string>('SANDBOX_MAX_RECORDS');
  return {
    ...options,
    mode,
    ...(mode === 'sandbox' && isSet(maxRecords) && { sandbox: { maxRecords: Number(maxRecords) } }),
    hooks: {
      onDelivered: ({ ids, outcome }) =>
        logger.log(
          outcome === 'disabled'
            ? `sent nothing for ${operations(ids.length)} (mode disabled)`
            : `delivered ${operations(ids.length)} to ${where}`,
        ),
    },
  } as CustomerIOModuleOptions;
}
