import type { CustomerIOEventData, TrackEventOptions } from '../interfaces/customerio-events.interface.js';
import { eventMembers, v1EventBody, validEvent, type ValidEvent } from './checked-event.js';
import type { DirectRequest, Operation } from './operation.interface.js';
import { type CustomerIOPersonId, personKey, type ResolvedPerson, resolvePerson } from './person-identifier.js';
import { personHead, personRequest } from './person-operation.js';

/** The v2 actions of a person's events: a custom event, a page view, a mobile screen view. */
export type PersonEventAction = 'event' | 'page' | 'screen';

/** An event of a person, with what its direct form is written from. */
interface PersonEventOperation extends Operation {
  readonly json: (operationId: string) => string;
  readonly person: ResolvedPerson;
  readonly event: ValidEvent;
}

/**
 * Checks an event, page view or screen view of a person (`nameField` names its name in errors) and writes it, with
 * its timestamp (the time of the call by default), so a late batch keeps event times. NOTE: `client.track` is on the
 * caller's hot path: the operation is one object literal with its writer, and its direct form a function shared by
 * all (`direct`, called as its method), so building it allocates no more than the queued form needs.
 */
function personEvent(
  personId: CustomerIOPersonId,
  action: PersonEventAction,
  name: string,
  data: CustomerIOEventData | undefined,
  options: TrackEventOptions | undefined,
  nameField: string,
  direct: (this: PersonEventOperation) => DirectRequest,
): PersonEventOperation {
  const person = resolvePerson(personId);
  const event = validEvent(name, data, options, nameField);
  const head = personHead(person, action);
  return {
    key: personKey(person),
    json: (operationId) => `${head}${eventMembers(event, operationId, 'attributes')}}`,
    person,
    event,
    direct,
  };
}

/** An event, directly: v1's `POST /api/v1/customers/{id}/events`. */
function directEvent(this: PersonEventOperation): DirectRequest {
  const { event } = this;
  return personRequest(this.person, this.json, (client, id) => client.track(id, v1EventBody(event)));
}

/** A page view, directly: v1's `POST /api/v1/customers/{id}/events` with `type: 'page'`. */
function directPageView(this: PersonEventOperation): DirectRequest {
  const { event } = this;
  return personRequest(this.person, this.json, (client, id) =>
    client.track(id, { ...v1EventBody(event), type: 'page' }),
  );
}

/** A screen view, directly: always `/api/v2/entity` (the v1 screen form needs an `anonymous_id` in Customer.io's document). */
function directScreenView(this: PersonEventOperation): DirectRequest {
  return personRequest(this.person, this.json);
}

/** An event of a person (`track`); the name and data are checked against the declared events by the caller's types. */
export function trackOperation(
  personId: CustomerIOPersonId,
  name: string,
  data?: CustomerIOEventData,
  options?: TrackEventOptions,
): Operation {
  return personEvent(personId, 'event', name, data, options, 'name', directEvent);
}

/** A page view of a person (`trackPageView`; `path` is usually the URL). */
export function pageViewOperation(
  personId: CustomerIOPersonId,
  path: string,
  data?: CustomerIOEventData,
  options?: TrackEventOptions,
): Operation {
  return personEvent(personId, 'page', path, data, options, 'path', directPageView);
}

/** A mobile screen view of a person (`trackScreen`; `name` is the screen's name). */
export function screenViewOperation(
  personId: CustomerIOPersonId,
  name: string,
  data?: CustomerIOEventData,
  options?: TrackEventOptions,
): Operation {
  return personEvent(personId, 'screen', name, data, options, 'name', directScreenView);
}
