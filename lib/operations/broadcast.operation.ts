import { checkEventData, checkName } from '../validation/input.checks.js';
import type { ApiPost } from './operation.interface.js';

/** Who receives a broadcast: Customer.io's recipient fields (`ids`, `emails`, `per_user_data`, `data_file_url`, or a `recipients` filter). */
export type CustomerIOBroadcastRecipients = Record<string, unknown>;

/** Options of `triggerBroadcast`. */
export interface CustomerIOBroadcastOptions {
  /** Data for the broadcast's Liquid (`trigger.data`). @default none */
  data?: Record<string, unknown>;
  /** Who receives it. @default the broadcast's own audience */
  recipients?: CustomerIOBroadcastRecipients;
}

/**
 * Triggering an API-triggered broadcast (`triggerBroadcast`; App API): `POST /v1/campaigns/{id}/triggers`, with
 * `data` and the recipient fields.
 */
export function broadcastRequest(broadcastId: string | number, options: CustomerIOBroadcastOptions): ApiPost<'app'> {
  const id = checkName(String(broadcastId), 'broadcastId');
  if (options.data !== undefined) checkEventData(options.data, 'data');
  const body = { ...(options.data && { data: options.data }), ...options.recipients };
  // NOTE: customerio-node 4.4 posts to a wrong path (/v1/api/campaigns/...); this path is right on every version.
  return { api: 'app', path: `/v1/campaigns/${encodeURIComponent(id)}/triggers`, body };
}
