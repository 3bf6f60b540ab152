// Compile-time checks of the sample's declared events (sample-app/customerio-events.ts). Not a Jest suite:
// `npm run typecheck` compiles it with sample-app/tsconfig.json, and each @ts-expect-error must be an error.
import type { CustomerIOClient } from '../../lib/index.js';
import { TrackEvent } from '../../lib/index.js';
import '../../sample-app/customerio-events.js';

declare const client: CustomerIOClient;

void client.track('user-1', 'signed_up', { plan: 'pro' });
void client.track('user-1', 'plan_upgraded', { from: 'free', to: 'team', seats: 3 });
void client.trackAnonymous('visitor-1', 'pricing_viewed');

// @ts-expect-error a typo in an event name
void client.track('user-1', 'signed_upp', { plan: 'pro' });
// @ts-expect-error a plan the sample does not have
void client.track('user-1', 'signed_up', { plan: 'enterprise' });
// @ts-expect-error seats is required
void client.track('user-1', 'plan_upgraded', { from: 'free', to: 'pro' });
// @ts-expect-error a feature the sample does not have
void client.track('user-1', 'feature_used', { feature: 'teleport' });

export class Checks {
  // @ts-expect-error decorators check names too
  @TrackEvent('loggedin')
  a(): void {}

  // @ts-expect-error and data
  @TrackEvent('logged_in', { data: () => ({ method: 'magic-link' }) })
  b(): void {}
}
