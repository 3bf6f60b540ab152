// `node --import ./sample-app/customerio-node-v5.mjs …`: with CUSTOMERIO_API=pipelines (in the environment or
// in ./.env), `customerio-node` resolves to customerio-node 5.x, which the Pipelines API needs. This repository
// installs 4.4 (the oldest the library supports) as `customerio-node` and 5.x as `customerio-node-v5`; an app of
// your own installs customerio-node@5 and needs none of this. `npm start` loads it; so do the bench's Pipelines ways.
import { existsSync, readFileSync } from 'node:fs';
import { register } from 'node:module';
import { parseEnv } from 'node:util';
import { isMainThread } from 'node:worker_threads';

/** The resolve hook: `customerio-node`, from anywhere, is the v5 alias. */
export async function resolve(specifier, context, nextResolve) {
  return nextResolve(specifier === 'customerio-node' ? 'customerio-node-v5' : specifier, context);
}

/** CUSTOMERIO_API as the app will read it: the environment first, then .env (as @nestjs/config does). */
function api() {
  if (process.env.CUSTOMERIO_API !== undefined) return process.env.CUSTOMERIO_API;
  return existsSync('.env') ? parseEnv(readFileSync('.env', 'utf8')).CUSTOMERIO_API : undefined;
}

// NOTE: Node loads this file again in its hooks thread, for `resolve`; only the main thread registers it.
if (isMainThread && api() === 'pipelines') register(import.meta.url);
