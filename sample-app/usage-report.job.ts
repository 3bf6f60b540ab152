import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CustomerIOClient } from '../lib/index.js';
import { type FeatureUsage, UsageService } from './usage.service.js';

/** How often usage is reported, by default. */
const DEFAULT_INTERVAL_MS = 30_000;

/**
 * Every `USAGE_REPORT_INTERVAL_MS` (30 s by default), sends each customer who used a feature since the
 * last report a `usage_reported` event, calling the client directly (one event per customer). On
 * shutdown it reports the last, partial period, which the queue then delivers before the app exits.
 * The interval is registered with the app's SchedulerRegistry (`ScheduleModule.forRoot()`), which also
 * holds the module's `customerio:flush` interval; `@Interval(ms)` would fix the period at compile time.
 */
@Injectable()
export class UsageReportJob implements OnApplicationBootstrap, OnModuleDestroy {
  readonly #logger = new Logger(UsageReportJob.name);
  #periodStart = Date.now();

  constructor(
    private readonly usage: UsageService,
    private readonly customerio: CustomerIOClient,
    private readonly scheduler: SchedulerRegistry,
    private readonly config: ConfigService,
  ) {}

  onApplicationBootstrap(): void {
    const setting = this.config.get<string>('USAGE_REPORT_INTERVAL_MS');
    const intervalMs = setting === undefined ? DEFAULT_INTERVAL_MS : Number(setting);
    if (!Number.isInteger(intervalMs) || intervalMs < 10) {
      throw new Error(
        `USAGE_REPORT_INTERVAL_MS must be an integer number of milliseconds, at least 10; got "${setting}"`,
      );
    }
    this.#periodStart = Date.now();
    this.scheduler.addInterval(
      'usage-report',
      setInterval(() => this.report(), intervalMs),
    );
  }

  onModuleDestroy(): void {
    this.report();
  }

  /** Reports the period that ends now; returns how many customers it reported on. */
  report(): number {
    const now = Date.now();
    const periodSeconds = Math.max(1, Math.round((now - this.#periodStart) / 1000));
    this.#periodStart = now;
    const period = this.usage.takePeriod();
    for (const [userId, features] of period) {
      try {
        this.customerio.track(userId, 'usage_reported', {
          period_seconds: periodSeconds,
          feature_uses: total(features),
          features,
        });
      } catch (error) {
        // the queue is full or closed: the module has counted and logged it; the job carries on
        this.#logger.warn(`usage of ${userId} not reported: ${(error as Error).message}`);
      }
    }
    if (period.size > 0)
      this.#logger.log(`reported the usage of ${period.size} customer(s) over the last ${periodSeconds} s`);
    return period.size;
  }
}

const total = (features: FeatureUsage): number => Object.values(features).reduce((sum, uses) => sum + uses, 0);
