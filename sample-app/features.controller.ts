import { Controller, ForbiddenException, HttpCode, NotFoundException, Param, Post, UseGuards } from '@nestjs/common';
import { TrackEvent } from '../lib/index.js';
import { planAtLeast, type User } from './accounts.service.js';
import { AuthGuard, CurrentUser } from './auth.guard.js';
import { type Feature, FEATURES } from './customerio-events.js';
import { UsageService } from './usage.service.js';

/** The answer to a feature use. */
export interface FeatureUse {
  feature: Feature;
  uses: number;
}

const isFeature = (name: string): name is Feature => Object.hasOwn(FEATURES, name);

@Controller('features')
@UseGuards(AuthGuard)
export class FeaturesController {
  constructor(private readonly usage: UsageService) {}

  /**
   * Uses a feature the customer's plan includes. `feature_used` names no person: it is the request's
   * user, which {@link AuthGuard} set. A refused use (404, 403) throws, and tracks nothing.
   */
  @Post(':feature/use')
  @HttpCode(200)
  @TrackEvent('feature_used', { data: (used: FeatureUse) => ({ feature: used.feature }) })
  use(@CurrentUser() user: User, @Param('feature') feature: string): FeatureUse {
    if (!isFeature(feature))
      throw new NotFoundException(`no feature "${feature}": try ${Object.keys(FEATURES).join(', ')}`);
    if (!planAtLeast(user.plan, FEATURES[feature]))
      throw new ForbiddenException(`${feature} needs the ${FEATURES[feature]} plan`);
    return { feature, uses: this.usage.record(user.id, feature) };
  }
}
