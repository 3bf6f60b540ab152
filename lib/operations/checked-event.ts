import { CUSTOMERIO_LIMITS } from '../customerio.constants.js';
import type { CustomerIOEventData, TrackEventOptions } from '../interfaces/customerio-events.interface.js';
import { checkEventData, checkName, toUnixSeconds } from '../validation/input.checks.js';

/** A checked event: of a person (`track`, page and screen views) or of someone not identified yet. */
export interface ValidEvent {
  readonly name: string;
  readonly data?: CustomerIOEventData;
  /** `data` as JSON, serialized once while checking it. */
  readonly dataJson?: string;
  /** Unix seconds: the one given, or the time of the call. */
  readonly timestamp: number;
  readonly id?: string;
}

/** No options given. */
const NO_OPTIONS: TrackEventOptions = Object.freeze({});

/** Checks an event's name (`nameField` names it in errors), data and options. */
export function validEvent(
  name: string,
  data: CustomerIOEventData | undefined,
  options: TrackEventOptions = NO_OPTIONS,
  nameField = 'name',
): ValidEvent {
  checkName(name, nameField, CUSTOMERIO_LIMITS.eventNameBytes);
  return {
    name,
    data,
    dataJson: data === undefined ? undefined : checkEventData(data),
    timestamp: options.timestamp === undefined ? Math.floor(Date.now() / 1000) : toUnixSeconds(options.timestamp),
    id: options.id === undefined ? undefined : checkName(options.id, 'id'),
  };
}

/** The v1 body of an event (`POST /api/v1/customers/{id}/events`, `/api/v1/events`). */
export function v1EventBody({ name, data, timestamp, id }: ValidEvent): Record<string, unknown> {
  return {
    name,
    ...(data !== undefined && { data }),
    timestamp,
    ...(id !== undefined && { id }),
  };
}

/** How the data of an event begins in a queued operation, by the member that carries it. */
const DATA_MEMBER = { attributes: ',"attributes":', data: ',"data":' } as const;

/**
 * The event's members in a queued operation (`,"id":…,"name":…,"timestamp":…` and its data in `dataField`): its
 * `id` is the caller's, if they chose one, else the operation's.
 */
export function eventMembers(
  { id, name, dataJson, timestamp }: ValidEvent,
  operationId: string,
  dataField: keyof typeof DATA_MEMBER,
): string {
  // NOTE: an operation id is a ULID, with nothing to escape. The fewer pieces, the fewer strings each call makes.
  const idMember = id === undefined ? `,"id":"${operationId}","name":` : `,"id":${JSON.stringify(id)},"name":`;
  const data = dataJson === undefined ? '' : `${DATA_MEMBER[dataField]}${dataJson}`;
  return `${idMember}${JSON.stringify(name)},"timestamp":${timestamp}${data}`;
}
