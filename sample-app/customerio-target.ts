import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { ConfigService } from '@nestjs/config';
import { CUSTOMERIO_CONFIG_KEYS, type CustomerIOModuleOptions, customerIOOptionsFromConfig } from '../lib/index.js';
import { CustomerIOSandbox } from '../lib/testing/index.js';

const isSet = (value: unknown): boolean => typeof value === 'string' && value.trim() !== '';

/**
 * Where this app sends. With `CUSTOMERIO_SITE_ID` and `CUSTOMERIO_API_KEY` set, to Customer.io, configured
 * from the `CUSTOMERIO_*` variables (with one of them missing the module refuses to start, naming it).
 * With neither, to a local Customer.io sandbox started here, in this process, and closed with the app,
 * after the queue has sent what it held; it keeps the last `SANDBOX_MAX_RECORDS` (default 10,000)
 * entries of each thing it records.
 */
export class CustomerIOTarget implements OnApplicationShutdown {
  private constructor(
    private readonly options: CustomerIOModuleOptions,
    /** The sandbox this app sends to, in sandbox mode. */
    readonly sandbox?: CustomerIOSandbox,
  ) {}

  static async fromConfig(config: ConfigService): Promise<CustomerIOTarget> {
    const logger = new Logger('CustomerIO');
    const options = customerIOOptionsFromConfig(config);
    if (isSet(config.get(CUSTOMERIO_CONFIG_KEYS.siteId)) || isSet(config.get(CUSTOMERIO_CONFIG_KEYS.apiKey))) {
      const where = options.trackUrl === undefined ? `region ${options.region ?? 'us'}` : `Track API at ${options.trackUrl}`;
      logger.log(`Sending to Customer.io (${where})`);
      return new CustomerIOTarget(options);
    }
    // SANDBOX_MAX_RECORDS: most entries the sandbox keeps a collection (its default otherwise)
    const maxRecords = config.get<string>('SANDBOX_MAX_RECORDS');
    const sandbox = await CustomerIOSandbox.start(isSet(maxRecords) ? { maxRecords: Number(maxRecords) } : {});
    logger.log(
      `Sandbox mode: CUSTOMERIO_SITE_ID and CUSTOMERIO_API_KEY are not set, so this app started a local ` +
        `Customer.io sandbox at ${sandbox.url} and sends there; nothing leaves this machine`,
    );
    return new CustomerIOTarget({ ...options, ...sandbox.moduleOptions() }, sandbox);
  }

  /** Options for `CustomerIOModule`: the target's, and a log line per delivered batch. */
  moduleOptions(): CustomerIOModuleOptions {
    const logger = new Logger('CustomerIO');
    const where = this.sandbox ? 'the local sandbox' : 'Customer.io';
    return {
      ...this.options,
      hooks: {
        onDelivered: ({ ids }) => logger.log(`delivered ${ids.length} operation${ids.length === 1 ? '' : 's'} to ${where}`),
      },
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.sandbox?.close();
  }
}
