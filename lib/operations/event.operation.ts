import type { CustomerIOEventData, TrackEventOptions } from '../interfaces/customerio-events.interface.js';
import { eventMembers, v1EventBody, validEvent, type ValidEvent } from './checked-event.js';
import type { DirectRequest, Operation, QueuedForm } from './operation.interface.js';
import { type CustomerIOPersonId, personKey, type ResolvedPerson, resolvePerson } from './person-identifier.js';
import { personHead, personRequest } from './person-operation.js';

/** The v2 actions of a person's events: a custom event (`track`), a page view, a mobile screen view. */
export type PersonEventAction = 'event' | 'page' | 'screen';

/** What names an event's name in errors: a page view's is its `path`. */
const NAME_FIELD = { event: 'name', page: 'path', screen: 'name' } as const;

/** The writer of a person's event, from the id the queue gives it; the data's JSON is the one the checks wrote. */
function eventWriter(person: ResolvedPerson, action: PersonEventAction, event: ValidEvent): (id: string) => string {
  const head = personHead(person, action);
  return (operationId) => `${head}${eventMembers(event, operationId, 'attributes')}}`;
}

/**
 * An event, page view or screen view of a person (`track`, `trackPageView`, `trackScreen`), checked, in its queued
 * form alone, with its timestamp (the time of the call by default), so a late batch keeps event times.
 * NOTE: `client.track` is on the caller's hot path: this is all the queue needs (one object and its writer), and
 * carrying the direct form's inputs as well measurably added to what every call allocates.
 */
export function queuedEvent(
  personId: CustomerIOPersonId,
  action: PersonEventAction,
  name: string,
  data?: CustomerIOEventData,
  options?: TrackEventOptions,
): QueuedForm {
  const person = resolvePerson(personId);
  const event = validEvent(name, data, options, NAME_FIELD[action]);
  return { key: personKey(person), json: eventWriter(person, action, event) };
}

/**
 * The same, in every wire form. Directly, an event and a page view go to v1's `POST /api/v1/customers/{id}/events`
 * (a page view with `type: 'page'`); a screen view always to `/api/v2/entity`: the v1 screen form needs an
 * `anonymous_id` in Customer.io's document.
 */
export function eventOperation(
  personId: CustomerIOPersonId,
  action: PersonEventAction,
  name: string,
  data?: CustomerIOEventData,
  options?: TrackEventOptions,
): Operation {
  const person = resolvePerson(personId);
  const event = validEvent(name, data, options, NAME_FIELD[action]);
  const json = eventWriter(person, action, event);
  const body = () => (action === 'page' ? { ...v1EventBody(event), type: 'page' } : v1EventBody(event));
  const direct = (): DirectRequest =>
    action === 'screen'
      ? personRequest(person, json)
      : personRequest(person, json, (client, id) => client.track(id, body()));
  return { key: personKey(person), json, direct };
}
