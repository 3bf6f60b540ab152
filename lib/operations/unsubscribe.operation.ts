import { CustomerIOValidationError } from '../errors/customerio.errors.js';
import { checkName } from '../validation/input.checks.js';
import { INVALID_VALUE } from '../errors/customerio.messages.js';
import type { ApiPost } from './operation.interface.js';

/**
 * Unsubscribing the person a delivery went to, attributed to that delivery (`unsubscribe`; no batch form):
 * `POST /unsubscribe/{delivery_id}`, at the Track API's root (not under `/api/v1`); `false` resubscribes them.
 */
export function unsubscribeRequest(deliveryId: string, unsubscribe: boolean): ApiPost<'track'> {
  const id = checkName(deliveryId, 'deliveryId');
  if (typeof unsubscribe !== 'boolean') {
    throw new CustomerIOValidationError(
      'unsubscribe',
      'boolean',
      INVALID_VALUE('unsubscribe', 'true or false', unsubscribe),
    );
  }
  return { api: 'track', path: `/unsubscribe/${encodeURIComponent(id)}`, body: { unsubscribe } };
}
