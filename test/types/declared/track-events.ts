// Compile-time tests: an app that declares its events gets its names and payloads checked.
// `npm run typecheck` compiles this file; each @ts-expect-error must be an error, or tsc fails.
import type { CustomerIOClient } from 'nestjs-customerio';

declare module 'nestjs-customerio' {
  interface CustomerIOEvents {
    signed_up: { plan: 'free' | 'pro' };
    logged_in: { method?: 'password' | 'sso' };
  }
}

declare const client: CustomerIOClient;

void client.track('u1', 'signed_up', { plan: 'pro' });
void client.track('u1', 'signed_up', { plan: 'free' }, { timestamp: new Date(), id: '01J0000000000000000000000' });
void client.track('u1', 'logged_in');
void client.track('u1', 'logged_in', { method: 'sso' });
void client.trackAnonymous('anon-1', 'signed_up', { plan: 'free' });

// @ts-expect-error an event the app did not declare
void client.track('u1', 'signed_in', { plan: 'pro' });
// @ts-expect-error a payload value outside the declared type
void client.track('u1', 'signed_up', { plan: 'enterprise' });
// @ts-expect-error a declared field is required
void client.track('u1', 'signed_up');
// @ts-expect-error a field the event does not declare
void client.track('u1', 'signed_up', { plan: 'pro', seats: 3 });
// @ts-expect-error anonymous events are checked the same way
void client.trackAnonymous('anon-1', 'signed_up', { plan: 'gold' });
// @ts-expect-error timestamps are Dates or unix seconds
void client.track('u1', 'logged_in', {}, { timestamp: '2024-01-01' });
