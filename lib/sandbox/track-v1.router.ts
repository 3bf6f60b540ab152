import { checkMetric, checkPushMetric } from './metric.rules.js';
import { checkEnum, checkType } from './sandbox-validation.js';
import { formData, segmentMembers } from './segment-form.rules.js';
import { jsonObject, metaError, NOT_FOUND, OK, type Reply, v1Reply } from './sandbox-reply.js';
import type { SandboxRecords } from './sandbox-records.js';
import type { SandboxState } from './sandbox-operations.js';

/** Customer.io's Track API host of each region, as `GET /api/v1/accounts/region` answers it. */
const TRACK_HOSTS = { us: 'https://track.customer.io', eu: 'https://track-eu.customer.io' } as const;
/** `204`, no body: how a form submission is answered. */
const NO_CONTENT: Reply = { status: 204 };

/** `type` of a v1 event (`eventsRequest`, `anonymousEventsRequest`). */
const EVENT_TYPES = ['event', 'page', 'screen'];

/**
 * Applies a Track API v1 request (`/api/v1/...`; `route` is the decoded path after it) to the
 * sandbox: people, events, devices, suppression, merges, metrics, manual segments, form submissions, and
 * the account's region (`query`: the request's query string).
 */
export function trackV1(
  state: SandboxState,
  records: SandboxRecords,
  method: string,
  route: string[],
  raw: Buffer,
  query: URLSearchParams,
): Reply {
  const parsed = jsonObject(raw);
  if (!('value' in parsed)) return parsed;
  const body = parsed.value;
  const [, id, , deviceId] = route;
  const customer = route[0] === 'customers';
  const withIds = customer || route[0] === 'segments' || route[0] === 'forms';
  const signature = route
    .map((segment, index) => (withIds && (index === 1 || (customer && index === 3)) ? ':' : segment))
    .join('/');
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
    case 'POST segments/:/add_customers':
    case 'POST segments/:/remove_customers': {
      const members = segmentMembers(id, query.get('id_type'), body, state.strict);
      if ('reason' in members) return v1Reply(members);
      const segment = records.segments.get(members.segmentId) ?? new Set<string>();
      for (const key of members.keys) {
        if (route[2] === 'add_customers') segment.add(key);
        else segment.delete(key);
      }
      records.segments.set(members.segmentId, segment);
      return OK;
    }
    case 'POST forms/:/submit': {
      const form = formData(body, state.strict);
      if ('reason' in form) return v1Reply(form);
      records.add('forms', { formId: id, data: form.data });
      return NO_CONTENT;
    }
    case 'GET accounts/region':
      return { status: 200, body: { url: TRACK_HOSTS[state.region], region: state.region, environment_id: 1 } };
    default:
      return NOT_FOUND;
  }
}

/** Applies `POST /unsubscribe/{delivery_id}` (no credentials: the spec's `security` is empty), `{unsubscribe}` a boolean. */
export function unsubscribe(state: SandboxState, records: SandboxRecords, deliveryId: string, raw: Buffer): Reply {
  const parsed = jsonObject(raw);
  if (!('value' in parsed)) return parsed;
  const value = parsed.value.unsubscribe;
  const error = state.strict ? checkType(value, 'unsubscribe', 'boolean') : undefined;
  if (error) return v1Reply(error);
  records.add('unsubscribes', { deliveryId, unsubscribe: value !== false });
  return OK;
}
