import { Controller, Get, Query } from '@nestjs/common';
import { TrackEvent } from '../lib/index.js';
import { planAtLeast } from './accounts.service.js';
import { FEATURES, type Plan, PLANS } from './customerio-events.js';

@Controller('pricing')
export class PricingController {
  /**
   * A public page. Its visitors are not logged in, so `pricing_viewed` is an anonymous event, keyed by
   * the visitor's `X-Anonymous-Id` header (the module's default `decorators.anonymousId`).
   */
  @Get()
  @TrackEvent('pricing_viewed', {
    data: (_page: unknown, referrer?: unknown) => (typeof referrer === 'string' && referrer !== '' ? { referrer } : {}),
  })
  show(@Query('ref') _referrer?: unknown): { plans: { plan: Plan; features: string[] }[] } {
    return {
      plans: PLANS.map((plan) => ({
        plan,
        features: Object.entries(FEATURES)
          .filter(([, least]) => planAtLeast(plan, least))
          .map(([feature]) => feature),
      })),
    };
  }
}
