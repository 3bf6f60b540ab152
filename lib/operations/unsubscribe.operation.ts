import { CustomerIOValidationError } from '../errors/customerio.errors.js';
import { checkName } from '../validation/input.checks.js';
import { INVALID_VALUE } from '../errors/customerio.messages.js';

/** A request to `POST /unsubscribe/{delivery_id}` (at the Track API's root, not under `/api/v1`). */
export interface UnsubscribeRequest {
  readonly path: string;
  readonly body: { unsubscribe: boolean };
}

/**
 * Checks an unsubscribe of the person a delivery went to, attributed to that delivery, and builds the request:
 * `unsubscribe: false` resubscribes them.
 */
export function unsubscribeRequest(deliveryId: string, unsubscribe: boolean): UnsubscribeRequest {
  const id = checkName(deliveryId, 'deliveryId');
  if (typeof unsubscribe !== 'boolean') {
    throw new CustomerIOValidationError(
      'unsubscribe',
      'boolean',
      INVALID_VALUE('unsubscribe', 'true or false', unsubscribe),
    );
  }
  return { path: `/unsubscribe/${encodeURIComponent(id)}`, body: { unsubscribe } };
}
