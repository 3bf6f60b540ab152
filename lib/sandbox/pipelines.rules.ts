import { fail, isObject, type Json, type OperationError } from './sandbox-validation.js';

// Rules of Pipelines API calls, from Customer.io's Pipelines API document (`identify`, `track`, `page`, `screen`,
// `group`, `alias`, `batch` and `common_fields`). Messages are short: the caller prefixes the field's path, e.g.
// `batch[3].userId: required`.

/** The kinds of Pipelines call, each with its own `POST /v1/{kind}` path. */
export const PIPELINES_CALLS = ['identify', 'track', 'page', 'screen', 'group', 'alias'] as const;
/** A kind of Pipelines call. */
export type PipelinesCallKind = (typeof PIPELINES_CALLS)[number];
/**
 * The calls a `/v1/batch` may hold (`batch.batch.items`: identify, track, page, screen, group). NOTE: `alias` is not
 * among them in the document; the sandbox takes it in a batch only when not strict.
 */
const BATCH_CALLS: readonly string[] = ['identify', 'track', 'page', 'screen', 'group'];
/** `common_fields` timestamps, `format: date-time`. */
const DATE_TIME_FIELDS = ['timestamp', 'sentAt', 'originalTimestamp'];
/** An RFC 3339 date-time (JSON Schema's `date-time`). */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Whether `value` is a JSON Schema `date-time` string (RFC 3339, a real date). */
export const isDateTime = (value: unknown): boolean =>
  typeof value === 'string' && DATE_TIME.test(value) && !Number.isNaN(Date.parse(value));

const JSON_TYPES = {
  string: (value: unknown) => typeof value === 'string',
  boolean: (value: unknown) => typeof value === 'boolean',
  integer: (value: unknown) => Number.isInteger(value),
  object: isObject,
};

/** Checks that `value`, when present, has the JSON type `type`. */
export function optional(value: unknown, field: string, type: keyof typeof JSON_TYPES): OperationError | undefined {
  if (value === undefined || JSON_TYPES[type](value)) return undefined;
  return fail(field, `must be ${type === 'string' || type === 'boolean' ? 'a' : 'an'} ${type}`);
}

/** A non-blank string, or the error of a required one. */
export function requiredString(value: unknown, field: string): OperationError | undefined {
  if (value === undefined || value === null || value === '') return fail(field, 'required');
  return typeof value === 'string' ? undefined : fail(field, 'must be a string');
}

/**
 * The kind of a `/v1/batch` item from its `type` (`strict`: one of the document's batch calls; else any Pipelines
 * call, `alias` included), or the error.
 */
export function batchCallKind(call: unknown, strict: boolean): PipelinesCallKind | OperationError {
  if (!isObject(call)) return fail(undefined, 'must be an object');
  const kinds = strict ? BATCH_CALLS : PIPELINES_CALLS;
  if (call.type === undefined) return fail('type', 'required');
  if (!kinds.includes(call.type as string)) return fail('type', `must be one of ${kinds.join(', ')}`);
  return call.type as PipelinesCallKind;
}

/**
 * Checks a Pipelines call of `kind`: always what the sandbox needs to apply it (its identifiers, `event`, `groupId`,
 * `traits` and `properties` objects, string names); `strict` adds the document's types and formats (`common_fields`,
 * reserved traits). A semantic event's own fields are `checkSemanticEvent`'s.
 */
export function checkPipelinesCall(
  call: unknown,
  kind: PipelinesCallKind,
  strict: boolean,
): OperationError | undefined {
  if (!isObject(call)) return fail(undefined, 'must be a JSON object');
  const error = checkIdentity(call, kind) ?? (strict ? checkCommonFields(call, kind) : undefined);
  if (error) return error;
  switch (kind) {
    case 'identify':
      return optional(call.traits, 'traits', 'object') ?? (strict ? checkTraits(call.traits as Json) : undefined);
    case 'track':
      return requiredString(call.event, 'event') ?? optional(call.properties, 'properties', 'object');
    case 'page':
    case 'screen':
      return optional(call.name, 'name', 'string') ?? optional(call.properties, 'properties', 'object');
    case 'group':
      return requiredString(call.groupId, 'groupId') ?? checkGroupTraits(call.traits, strict);
    case 'alias':
      return undefined;
  }
}

/** `alias`: `previousId` and `userId`; `track`: `userId`, `anonymousId` or `groupId`; others: `userId` or `anonymousId`. */
function checkIdentity(call: Json, kind: PipelinesCallKind): OperationError | undefined {
  if (kind === 'alias') return requiredString(call.previousId, 'previousId') ?? requiredString(call.userId, 'userId');
  const { userId, anonymousId } = call;
  const error =
    (userId !== undefined ? requiredString(userId, 'userId') : undefined) ??
    (anonymousId !== undefined ? requiredString(anonymousId, 'anonymousId') : undefined) ??
    (kind === 'track' && call.groupId !== undefined ? requiredString(call.groupId, 'groupId') : undefined);
  if (error) return error;
  const identified = userId !== undefined || anonymousId !== undefined || (kind === 'track' && call.groupId);
  return identified ? undefined : fail('userId', 'required (or anonymousId)');
}

/** `common_fields`: `messageId` a string, timestamps `date-time`, `context` and `integrations` objects, `type` the call's. */
function checkCommonFields(call: Json, kind: PipelinesCallKind): OperationError | undefined {
  const badTime = DATE_TIME_FIELDS.find((field) => call[field] !== undefined && !isDateTime(call[field]));
  if (badTime) return fail(badTime, 'must be an ISO 8601 date-time');
  if (call.type !== undefined && call.type !== kind) return fail('type', `must be "${kind}"`);
  return (
    optional(call.messageId, 'messageId', 'string') ??
    optional(call.context, 'context', 'object') ??
    checkIntegrations(call.integrations)
  );
}

/** `integrations`: an object of booleans (a destination enabled or disabled). */
export function checkIntegrations(integrations: unknown): OperationError | undefined {
  const error = optional(integrations, 'integrations', 'object');
  if (error || integrations === undefined) return error;
  const bad = Object.entries(integrations as Json).find(([, enabled]) => typeof enabled !== 'boolean');
  return bad ? fail(`integrations.${bad[0]}`, 'must be a boolean') : undefined;
}

/** Reserved traits of `identify`: `email` a string, `createdAt` a date-time, `unsubscribed` a boolean, preferences booleans. */
function checkTraits(traits: Json | undefined): OperationError | undefined {
  if (!traits) return undefined;
  if (traits.createdAt !== undefined && !isDateTime(traits.createdAt))
    return fail('traits.createdAt', 'must be an ISO 8601 date-time');
  const error =
    optional(traits.email, 'traits.email', 'string') ?? optional(traits.unsubscribed, 'traits.unsubscribed', 'boolean');
  if (error) return error;
  const preferences = traits.cio_subscription_preferences;
  const field = 'traits.cio_subscription_preferences';
  if (preferences === undefined) return undefined;
  if (!isObject(preferences)) return fail(field, 'must be an object');
  for (const group of ['topics', 'channels']) {
    const values = preferences[group];
    if (values === undefined) continue;
    if (!isObject(values)) return fail(`${field}.${group}`, 'must be an object');
    const bad = Object.keys(values).find((name) => typeof values[name] !== 'boolean');
    if (bad !== undefined) return fail(`${field}.${group}.${bad}`, 'must be a boolean');
  }
  return undefined;
}

/**
 * `group` traits: an object; `object_type_id` a string (`objectTypeId`: a stringified integer; a number too when not
 * strict) and `relationshipAttributes` an object.
 */
function checkGroupTraits(traits: unknown, strict: boolean): OperationError | undefined {
  const error = optional(traits, 'traits', 'object');
  if (error || traits === undefined) return error;
  const { object_type_id: typeId, relationshipAttributes } = traits as Json;
  if (typeId !== undefined && typeof typeId !== 'string' && (strict || typeof typeId !== 'number'))
    return fail('traits.object_type_id', 'must be a string');
  return optional(relationshipAttributes, 'traits.relationshipAttributes', 'object');
}
