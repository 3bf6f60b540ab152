import { CUSTOMERIO_LIMITS } from '../customerio.constants.js';
import { V1_EVENTS_ENVELOPE } from '../delivery/queued-operation.format.js';
import type { CustomerIOEventData, TrackEventOptions } from '../interfaces/customerio-events.interface.js';
import { checkName } from '../validation/input.checks.js';
import { eventMembers, v1EventBody, validEvent } from './checked-event.js';
import type { Operation } from './operation.interface.js';

/**
 * An event of someone not identified yet (`trackAnonymous`), keyed by their anonymous id. The v2 batch has no
 * form for it, so it is queued as the body of `POST /api/v1/events` in {@link V1_EVENTS_ENVELOPE} (the batch
 * sender sends it there, alone); directly, it is that same v1 request, built by the SDK.
 */
export function anonymousEventOperation(
  anonymousId: string,
  name: string,
  data?: CustomerIOEventData,
  options?: TrackEventOptions,
): Operation {
  const anonymous = checkName(anonymousId, 'anonymousId', CUSTOMERIO_LIMITS.personIdBytes);
  const event = validEvent(name, data, options);
  const head = `${V1_EVENTS_ENVELOPE}{"anonymous_id":${JSON.stringify(anonymous)}`;
  return {
    key: anonymous,
    json: (operationId) => `${head}${eventMembers(event, operationId, 'data')}}}`,
    direct: () => ({ api: 'track', call: (client) => client.trackAnonymous(anonymous, v1EventBody(event)) }),
  };
}
