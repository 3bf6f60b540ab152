// Compile-time tests: an app that declares no events may send any name with any JSON data.
import type { CustomerIOClient } from 'nestjs-customerio';

declare const client: CustomerIOClient;

void client.track('u1', 'anything_at_all');
void client.track('u1', 'signed_up', { plan: 'pro', seats: 3, nested: { ok: true } });
void client.trackAnonymous('anon-1', 'visited', { page: '/' });

// @ts-expect-error event data is an object, not a string
void client.track('u1', 'signed_up', 'pro');
// @ts-expect-error the event name is required
void client.track('u1');
