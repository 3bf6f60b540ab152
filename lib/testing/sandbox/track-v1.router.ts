import { checkMetric, checkPushMetric } from './metric.rules.js';
import { checkEnum } from './sandbox-validation.js';
import { jsonObject, metaError, NOT_FOUND, OK, type Reply, v1Reply } from './sandbox-reply.js';
import type { SandboxRecords } from './sandbox-records.js';
import type { SandboxState } from './sandbox-operations.js';

/** `type` of a v1 event (`eventsRequest`, `anonymousEventsRequest`). */
const EVENT_TYPES = ['event', 'page', 'screen'];

/**
 * Applies a Track API v1 request (`/api/v1/...`; `route` is the decoded path after it) to the
 * sandbox: people, events, devices, suppression, merges and push metrics.
 */
export function trackV1(state: SandboxState, records: SandboxRecords, method: string, route: string[], raw: Buffer): Reply {
  const parsed = jsonObject(raw);
  if (!('value' in parsed)) return parsed;
  const body = parsed.value;
  const [, id, , deviceId] = route;
  const customer = route[0] === 'customers';
  const signature = route.map((segment, index) => (customer && (index === 1 || index === 3) ? ':' : segment)).join('/');
  const event = (personId: string | undefined, type: unknown): Reply =>
    v1Reply(
      (state.strict ? checkEnum(type, 'type', EVENT_TYPES) : undefined) ??
      state.event({
        personId,
        anonymousId: body.anonymous_id,
        name: body.name,
        type: type === 'page' || type === 'screen' ? type : 'event',
        data: body.data,
        timestamp: body.timestamp,
        id: body.id,
        api: 'v1',
      }),
    );
  switch (`${method} ${signature}`) {
    case 'PUT customers/:':
      return v1Reply(state.identify(id, body, 'v1'));
    case 'DELETE customers/:':
      return v1Reply(state.delete(id));
    case 'POST customers/:/events':
      return event(id, body.type);
    case 'PUT customers/:/devices':
      return v1Reply(state.addDevice(id, body.device, 'id'));
    case 'DELETE customers/:/devices/:':
      return v1Reply(state.deleteDevice(id, deviceId));
    case 'POST customers/:/suppress':
    case 'POST customers/:/unsuppress':
      return v1Reply(state.setSuppressed(id, route[2] === 'suppress'));
    case 'POST events':
      return event(undefined, body.type);
    case 'POST merge_customers': {
      // NOTE: the spec gives this endpoint's 400 the `{"meta":{"error"}}` shape, not `{"meta":{"errors":[]}}`.
      const error = state.merge(body.primary, body.secondary);
      return error ? metaError(400, error.message) : OK;
    }
    case 'POST push/events':
    case 'POST metrics': {
      const error = state.strict ? (route[0] === 'push' ? checkPushMetric(body) : checkMetric(body)) : undefined;
      if (!error) records.add('metrics', body);
      return v1Reply(error);
    }
    default:
      return NOT_FOUND;
  }
}
