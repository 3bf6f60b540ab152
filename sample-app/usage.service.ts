import { Injectable } from '@nestjs/common';
import type { Feature } from './customerio-events.js';

/** Feature use per customer and feature. */
export type FeatureUsage = Partial<Record<Feature, number>>;

/** Counts who uses which feature: in total, and since the last usage report. */
@Injectable()
export class UsageService {
  readonly #total = new Map<string, FeatureUsage>();
  #period = new Map<string, FeatureUsage>();

  /** Records one use; returns the customer's uses of the feature so far. */
  record(userId: string, feature: Feature): number {
    count(this.#period, userId, feature);
    return count(this.#total, userId, feature);
  }

  /** Uses since the last call, by customer; starts a new period. */
  takePeriod(): Map<string, FeatureUsage> {
    const period = this.#period;
    this.#period = new Map();
    return period;
  }
}

function count(usage: Map<string, FeatureUsage>, userId: string, feature: Feature): number {
  const features = usage.get(userId) ?? {};
  features[feature] = (features[feature] ?? 0) + 1;
  usage.set(userId, features);
  return features[feature];
}
