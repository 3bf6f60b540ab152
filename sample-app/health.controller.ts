import { Controller, Get } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { CustomerIOHealthIndicator, type CustomerIOHealthThresholds } from '../lib/health/index.js';

/** A threshold from the environment, in ms, if set. */
function msFrom(config: ConfigService, name: string): number | undefined {
  const value = config.get<string>(name);
  return value === undefined || value.trim() === '' ? undefined : Number(value);
}

/**
 * `GET /health`: delivery to Customer.io as `@nestjs/terminus` reports it — 200 `ok` (up) or `degraded`, 503 when
 * down (see the main README, "Running in production"). `HEALTH_DEGRADED_BACKLOG_AGE_MS` and
 * `HEALTH_DOWN_BACKLOG_AGE_MS` override the backlog-age thresholds (1 and 15 minutes).
 */
@Controller('health')
export class HealthController {
  readonly #thresholds: CustomerIOHealthThresholds;

  constructor(
    private readonly health: HealthCheckService,
    private readonly customerio: CustomerIOHealthIndicator,
    config: ConfigService,
  ) {
    this.#thresholds = {
      degradedBacklogAgeMs: msFrom(config, 'HEALTH_DEGRADED_BACKLOG_AGE_MS'),
      downBacklogAgeMs: msFrom(config, 'HEALTH_DOWN_BACKLOG_AGE_MS'),
    };
  }

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.customerio.isHealthy('customerio', this.#thresholds)]);
  }
}
