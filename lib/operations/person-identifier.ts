import { CustomerIOValidationError } from '../errors/customerio.errors.js';
import { checkOneOf, checkPersonId } from '../validation/input.checks.js';
import { INVALID_VALUE } from '../errors/customerio.messages.js';

/** One identifier of a person, typed: Customer.io's v2 `identifiers` (exactly one of them). */
export type CustomerIOPersonIdentifier =
  { id: string | number } | { email: string } | { cio_id: string } | { phone: string };

/** An identifier `mergeCustomers` takes: Customer.io's merge has no `phone` form. */
export type CustomerIOMergeIdentifier = Exclude<CustomerIOPersonIdentifier, { phone: string }>;

/**
 * A person, as every person operation takes it: a typed identifier, or a plain value read like
 * Customer.io's v1 paths read it: `cio_…` is a `cio_id`, an email address an `email`, anything else an `id`.
 */
export type CustomerIOPersonId = string | number | CustomerIOPersonIdentifier;

/** The kinds of identifier a person operation may carry. */
export type PersonIdentifierType = 'id' | 'email' | 'cio_id' | 'phone';

/** A person resolved to one identifier. */
export interface ResolvedPerson {
  readonly type: PersonIdentifierType;
  readonly value: string;
}

// NOTE: the email pattern Segment's Customer.io destination uses to tell an email from an id (ajv-formats' "full" email).
const EMAIL =
  /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/i;
// E.164: a leading `+` and up to 15 digits.
const PHONE = /^\+[1-9][0-9]{1,14}$/;
const TYPES: readonly PersonIdentifierType[] = ['id', 'email', 'cio_id', 'phone'];

/** The type Customer.io's v1 infers from a plain value. */
function inferredType(value: string): PersonIdentifierType {
  if (value.startsWith('cio_')) return 'cio_id';
  return value.includes('@') && EMAIL.test(value) ? 'email' : 'id';
}

/** Checks a person (`field` names it in errors) and resolves it to one typed identifier. */
export function resolvePerson(
  person: unknown,
  field = 'personId',
  types: readonly PersonIdentifierType[] = TYPES,
): ResolvedPerson {
  if (typeof person !== 'object' || person === null) {
    const value = checkPersonId(person, field);
    const type = inferredType(value);
    return type === 'cio_id' ? { type, value: checkPersonId(value.slice(4), field) } : { type, value };
  }
  const entries = Object.entries(person);
  const expected = types.map((type) => `{ ${type} }`);
  if (entries.length !== 1) checkOneOf(undefined, field, expected);
  const [name, raw] = entries[0];
  const type = checkOneOf(name as PersonIdentifierType, `${field} identifier`, types);
  const value = checkPersonId(raw, `${field}.${type}`);
  const pattern = type === 'email' ? EMAIL : type === 'phone' ? PHONE : undefined;
  if (pattern && !pattern.test(value)) {
    const shape = type === 'email' ? 'an email address' : 'E.164 (+ and up to 15 digits)';
    throw new CustomerIOValidationError(`${field}.${type}`, shape, INVALID_VALUE(`${field}.${type}`, shape, raw));
  }
  return { type, value };
}

/**
 * The person as a v1 path segment, when Customer.io's v1 would read it as the same identifier
 * (`undefined` for a phone, and for an `{ id }` that looks like an email or starts with `cio_`).
 */
export function v1PathId({ type, value }: ResolvedPerson): string | undefined {
  if (type === 'cio_id') return `cio_${value}`;
  return type !== 'phone' && inferredType(value) === type ? value : undefined;
}

/** The queue's ordering key of a person: the same person, however given, has the same key. */
export function personKey({ type, value }: ResolvedPerson): string {
  return type === 'cio_id' ? `cio_${value}` : value;
}

/** The identifier types `mergeCustomers` takes. */
export const MERGE_IDENTIFIER_TYPES: readonly PersonIdentifierType[] = ['id', 'email', 'cio_id'];
