import type { CustomerIOEventData, TrackEventOptions } from '../interfaces/customerio-events.interface.js';
import { eventMembers, v1EventBody, validEvent, type ValidEvent } from './checked-event.js';
import type { DirectRequest, Operation } from './operation.interface.js';
import { type CustomerIOPersonId, personKey, type ResolvedPerson, resolvePerson } from './person-identifier.js';
import { personHead, personRequest } from './person-operation.js';

/** The v2 actions of a person's events: a custom event, a page view, a mobile screen view. */
export type PersonEventAction = 'event' | 'page' | 'screen';

/**
 * An event of a person, with its timestamp (the time of the call by default), so a late batch keeps event times.
 * NOTE: a class, so that the direct form is a method: `client.track` is on the caller's hot path, and building
 * the operation allocates no more than the queued form needs (this object and its writer).
 */
class PersonEventOperation implements Operation {
  readonly key: string;
  readonly json: (operationId: string) => string;

  constructor(
    private readonly person: ResolvedPerson,
    private readonly action: PersonEventAction,
    private readonly event: ValidEvent,
  ) {
    this.key = personKey(person);
    const head = personHead(person, action);
    this.json = (operationId) => `${head}${eventMembers(event, operationId, 'attributes')}}`;
  }

  /**
   * An event and a page view go to v1's `POST /api/v1/customers/{id}/events` (a page view with `type: 'page'`);
   * a screen view always to `/api/v2/entity`: the v1 screen form needs an `anonymous_id` in Customer.io's document.
   */
  direct(): DirectRequest {
    const { person, action, event, json } = this;
    if (action === 'screen') return personRequest(person, json);
    return personRequest(person, json, (client, id) =>
      client.track(id, action === 'page' ? { ...v1EventBody(event), type: 'page' } : v1EventBody(event)),
    );
  }
}

/** An event of a person (`track`); the name and data are checked against the declared events by the caller's types. */
export function trackOperation(
  personId: CustomerIOPersonId,
  name: string,
  data?: CustomerIOEventData,
  options?: TrackEventOptions,
): Operation {
  const person = resolvePerson(personId);
  return new PersonEventOperation(person, 'event', validEvent(name, data, options));
}

/** A page view of a person (`trackPageView`; `path` is usually the URL). */
export function pageViewOperation(
  personId: CustomerIOPersonId,
  path: string,
  data?: CustomerIOEventData,
  options?: TrackEventOptions,
): Operation {
  const person = resolvePerson(personId);
  return new PersonEventOperation(person, 'page', validEvent(path, data, options, 'path'));
}

/** A mobile screen view of a person (`trackScreen`; `name` is the screen's name). */
export function screenViewOperation(
  personId: CustomerIOPersonId,
  name: string,
  data?: CustomerIOEventData,
  options?: TrackEventOptions,
): Operation {
  const person = resolvePerson(personId);
  return new PersonEventOperation(person, 'screen', validEvent(name, data, options));
}
