// The events this app sends to Customer.io, declared once: from here on `client.track`, `@TrackEvent`
// and friends accept only these names, each with its own data. An app that installs the package writes
// `declare module 'nestjs-customerio'`; this sample imports the library's sources by relative path.

/** Plans a customer can be on. */
export const PLANS = ['free', 'pro', 'team'] as const;
export type Plan = (typeof PLANS)[number];

/** Features a customer can use, and the least plan each needs. */
export const FEATURES = { reports: 'free', export: 'pro', api: 'team' } as const satisfies Record<string, Plan>;
export type Feature = keyof typeof FEATURES;

declare module '../lib/index.js' {
  interface CustomerIOEvents {
    signed_up: { plan: Plan };
    logged_in: { method: 'password' };
    plan_upgraded: { from: Plan; to: Plan; seats: number };
    feature_used: { feature: Feature };
    pricing_viewed: { referrer?: string };
    usage_reported: { period_seconds: number; feature_uses: number; features: Partial<Record<Feature, number>> };
  }
}
