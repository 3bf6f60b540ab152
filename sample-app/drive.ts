// Drives a running sample app the way a few users would: `npm run drive` (BASE_URL, default
// http://127.0.0.1:3000). Prints each request and its answer, then the queue's counters.
import { setTimeout as sleep } from 'node:timers/promises';
import { apiRequest } from './api-request.js';

const base = (process.env.BASE_URL ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

async function call(
  what: string,
  method: string,
  path: string,
  {
    body,
    token,
    anonymousId,
    show,
  }: { body?: object; token?: string; anonymousId?: string; show?: (body: Record<string, unknown>) => string } = {},
): Promise<Answer> {
  const answer = await apiRequest(base, method, path, { body, token, anonymousId });
  const parsed = (
    typeof answer.body === 'object' && answer.body !== null ? answer.body : { text: answer.text }
  ) as Record<string, unknown>;
  const detail = answer.ok ? (show?.(parsed) ?? '') : String(parsed.message ?? answer.text);
  console.log(`  ${what.padEnd(34)} ${`${method} ${path}`.padEnd(28)} → ${answer.status} ${detail}`.trimEnd());
  return { status: answer.status, body: parsed };
}

/** Signs up, or logs in when the account exists (a second run); returns a session token. */
async function signUpOrLogIn(name: string, email: string, plan: string): Promise<string> {
  const password = `${name.toLowerCase()}-correct-horse`;
  const signup = await call(`${name} signs up (${plan})`, 'POST', '/signup', {
    body: { email, name, password, plan },
    show: (body) => `${(body.user as { id: string }).id}`,
  });
  const login = await call(`${name} logs in`, 'POST', '/login', { body: { email, password } });
  return String((login.status === 200 ? login : signup).body.token);
}

console.log(`Driving the sample app at ${base}\n`);
try {
  await fetch(base);
} catch {
  console.error(`Nothing answers at ${base}: start the sample first (npm start), or set BASE_URL.`);
  process.exit(1);
}

const uses = (body: Record<string, unknown>) => `(${body.uses} use${body.uses === 1 ? '' : 's'})`;
const ada = await signUpOrLogIn('Ada', 'ada@example.com', 'free');
await call('Ada uses reports', 'POST', '/features/reports/use', { token: ada, show: uses });
await call('Ada tries export (pro and up)', 'POST', '/features/export/use', { token: ada, show: uses });
await call('Ada upgrades to pro, 3 seats', 'POST', '/account/plan', {
  token: ada,
  body: { plan: 'pro', seats: 3 },
  show: (body) => `customerio: ${body.customerio}`,
});
await call('Ada uses export', 'POST', '/features/export/use', { token: ada, show: uses });
const grace = await signUpOrLogIn('Grace', 'grace@example.com', 'team');
await call('Grace uses the API', 'POST', '/features/api/use', { token: grace, show: uses });
await call('a visitor looks at the pricing', 'GET', '/pricing?ref=newsletter', { anonymousId: 'visitor-7f3a' });

// Queued operations go out within the queue's flush interval (1 s by default).
let stats: Answer | undefined;
for (let waited = 0; waited <= 5_000; waited += 250) {
  const response = await fetch(`${base}/customerio/stats`);
  if (response.status === 404) break;
  stats = { status: response.status, body: (await response.json()) as Record<string, unknown> };
  if (stats.body.queued === 0) break;
  await sleep(250);
}
if (stats) {
  console.log(`\nQueue counters (GET /customerio/stats):\n${JSON.stringify(stats.body, null, 2)}`);
  console.log(`\nWhat the sandbox received: ${base}/customerio`);
} else {
  console.log("\nThe app sends to Customer.io: see your workspace's Activity Logs.");
}
