import { CustomerIOValidationError } from '../errors/customerio.errors.js';
import { INVALID_VALUE } from '../errors/customerio.messages.js';
import type { ApiPost } from './operation.interface.js';
import { type CustomerIOMergeIdentifier, MERGE_IDENTIFIER_TYPES, resolvePerson } from './person-identifier.js';

/** Most people one `add_customers` / `remove_customers` request takes (the spec's `ids.maxItems`). */
export const SEGMENT_MEMBERS_PER_REQUEST = 1000;
/** Largest segment id: the spec types it as a 32-bit integer. */
const MAX_SEGMENT_ID = 2_147_483_647;

/** Which way a manual segment's membership changes. */
export type SegmentMembershipAction = 'add_customers' | 'remove_customers';

/**
 * Adding people to a manual segment or removing them (`addToSegment`, `removeFromSegment`; no batch form): 1 to
 * 1,000 people of one identifier type (`id`, `email` or `cio_id`: the request's `id_type` is one for all), as
 * `POST /api/v1/segments/{segment_id}/{action}?id_type=…`.
 */
export function segmentMembershipRequest(
  segmentId: number,
  people: ReadonlyArray<CustomerIOMergeIdentifier | string | number>,
  action: SegmentMembershipAction,
): ApiPost<'track'> {
  if (!Number.isInteger(segmentId) || segmentId < 1 || segmentId > MAX_SEGMENT_ID) {
    const expected = `an integer from 1 to ${MAX_SEGMENT_ID}`;
    throw new CustomerIOValidationError('segmentId', expected, INVALID_VALUE('segmentId', expected, segmentId));
  }
  if (!Array.isArray(people) || people.length === 0 || people.length > SEGMENT_MEMBERS_PER_REQUEST) {
    const expected = `1 to ${SEGMENT_MEMBERS_PER_REQUEST} people`;
    throw new CustomerIOValidationError(
      'people',
      expected,
      INVALID_VALUE('people', `an array of ${expected}`, Array.isArray(people) ? `${people.length} people` : people),
    );
  }
  const resolved = people.map((person, index) => resolvePerson(person, `people[${index}]`, MERGE_IDENTIFIER_TYPES));
  const { type } = resolved[0];
  const other = resolved.findIndex((person) => person.type !== type);
  if (other >= 0) {
    const expected = `one identifier type (people[0] is ${type})`;
    throw new CustomerIOValidationError(
      `people[${other}]`,
      expected,
      INVALID_VALUE(`people[${other}]`, `an identifier of type ${type}, like people[0]`, people[other]),
    );
  }
  return {
    api: 'track',
    path: `/api/v1/segments/${segmentId}/${action}?id_type=${type}`,
    body: { ids: resolved.map(({ value }) => value) },
  };
}
