import { checkEventData, checkName } from '../validation/input.checks.js';

/** Who receives a broadcast: Customer.io's recipient fields (`ids`, `emails`, `per_user_data`, `data_file_url`, or a `recipients` filter). */
export type CustomerIOBroadcastRecipients = Record<string, unknown>;

/** Options of `triggerBroadcast`. */
export interface CustomerIOBroadcastOptions {
  /** Data for the broadcast's Liquid (`trigger.data`). @default none */
  data?: Record<string, unknown>;
  /** Who receives it. @default the broadcast's own audience */
  recipients?: CustomerIOBroadcastRecipients;
}

/** Checks a broadcast trigger and returns the broadcast id and the `POST /v1/campaigns/{id}/triggers` body. */
export function broadcastTrigger(
  broadcastId: string | number,
  options: CustomerIOBroadcastOptions,
): { id: string; body: Record<string, unknown> } {
  const id = checkName(String(broadcastId), 'broadcastId');
  if (options.data !== undefined) checkEventData(options.data, 'data');
  const body = { ...(options.data && { data: options.data }), ...options.recipients };
  return { id, body };
}
