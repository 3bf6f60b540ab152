import { randomBytes } from 'node:crypto';
import { jsonObject, NOT_FOUND, type Reply, v1Reply } from './sandbox-reply.js';
import type { SandboxRecords } from './sandbox-records.js';
import type { SandboxTransactionalKind } from './sandbox-records.interface.js';
import { checkBroadcast, checkTransactional } from './transactional.rules.js';

const TRANSACTIONAL_KINDS: readonly string[] = ['email', 'push', 'sms', 'inbox_message', 'in_app'];

const isTransactionalKind = (kind: string | undefined): kind is SandboxTransactionalKind =>
  TRANSACTIONAL_KINDS.includes(kind as string);

/**
 * Applies an App API request (`/v1/...`; `route` is the decoded path after it): records transactional
 * messages (`POST /v1/send/{kind}`) and broadcast triggers (`POST /v1/campaigns/{id}/triggers`).
 */
export function appApi(records: SandboxRecords, strict: boolean, method: string, route: string[], raw: Buffer): Reply {
  const parsed = jsonObject(raw);
  if (!('value' in parsed)) return parsed;
  const body = parsed.value;
  if (method !== 'POST') return NOT_FOUND;
  const [resource, kind] = route;
  if (resource === 'send' && route.length === 2 && isTransactionalKind(kind)) {
    const error = strict ? checkTransactional(kind, body) : undefined;
    if (error) return v1Reply(error);
    records.add('transactional', { kind, body });
    return {
      status: 200,
      body: { delivery_id: randomBytes(12).toString('base64url'), queued_at: Math.floor(Date.now() / 1000) },
    };
  }
  // customerio-node 4.4.0 posts broadcast triggers to /v1/api/campaigns/{id}/triggers.
  const [campaigns, broadcastId, triggers, ...rest] = resource === 'api' ? route.slice(1) : route;
  if (campaigns === 'campaigns' && triggers === 'triggers' && rest.length === 0 && broadcastId) {
    const error = strict ? checkBroadcast(broadcastId, body) : undefined;
    if (error) return v1Reply(error);
    records.add('broadcasts', { broadcastId, body });
    return { status: 200, body: { id: records.counts.broadcasts } };
  }
  return NOT_FOUND;
}
