import { Logger } from '@nestjs/common';
import type { CustomerIOLogLevel } from '../interfaces/customerio-module-options.interface.js';

/** The fields a log line carries: a stable `event` name and its data (ids, counts, outcome, reason, kind); no secrets. */
export interface CustomerIOLogFields {
  /** Stable name of what happened, e.g. `customerio.outcome`, `customerio.summary`. */
  readonly event: string;
  readonly [field: string]: unknown;
}

const RANK: Record<CustomerIOLogLevel, number> = { log: 0, warn: 1, error: 2, off: 3 };

/**
 * The module's logger: Nest's `Logger` with context `CustomerIO`, writing only lines at or above `level`, each with
 * its fields as a plain object after the message (appended in text mode, kept as fields by `ConsoleLogger({ json: true })`).
 */
export class CustomerIOLogger {
  readonly #logger = new Logger('CustomerIO');

  /** @param level the lowest level written (see `CustomerIOModuleOptions.logLevel`). */
  constructor(private readonly level: CustomerIOLogLevel = 'log') {}

  /** Writes `message` at level `log`. */
  log(message: string, fields: CustomerIOLogFields): void {
    if (RANK[this.level] <= RANK.log) this.#logger.log(message, fields);
  }

  /** Writes `message` at level `warn`. */
  warn(message: string, fields: CustomerIOLogFields): void {
    if (RANK[this.level] <= RANK.warn) this.#logger.warn(message, fields);
  }

  /** Writes `message` at level `error`. */
  error(message: string, fields: CustomerIOLogFields): void {
    if (RANK[this.level] <= RANK.error) this.#logger.error(message, fields);
  }
}

/** At most the 20 ids a log line's text shows. */
export const shownIds = (ids: readonly string[]): readonly string[] => ids.slice(0, 20);
