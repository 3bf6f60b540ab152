import { checkEnum, checkTimestamp, checkType, fail, isObject, type OperationError } from './sandbox-validation.js';

/**
 * Checks the reserved fields of an identify: the v1 body (`prefix` `''`: `PUT /api/v1/customers/{identifier}`)
 * or the v2 `attributes` (`prefix` `'attributes.'`: `identify_person`). Both: `_update` a boolean,
 * `cio_subscription_preferences.topics` booleans. v1 also: `_timestamp` and `created_at` unix seconds,
 * `unsubscribed` a boolean, `id`, `email` and `anonymous_id` strings, `cio_relationships` an
 * `{action, relationships[]}` object. Other attributes take any JSON value (a sandbox choice, see the README).
 */
export function checkIdentifyFields(
  attributes: Record<string, unknown>,
  prefix: '' | 'attributes.',
): OperationError | undefined {
  const field = (name: string): string => `${prefix}${name}`;
  const error =
    checkType(attributes._update, field('_update'), 'boolean') ??
    checkPreferences(attributes.cio_subscription_preferences, field('cio_subscription_preferences'));
  if (error || prefix !== '') return error;
  const {
    _timestamp: timestamp,
    created_at: createdAt,
    unsubscribed,
    id,
    email,
    anonymous_id: anonymousId,
  } = attributes;
  return (
    checkTimestamp(timestamp, '_timestamp') ??
    checkTimestamp(createdAt, 'created_at') ??
    checkType(unsubscribed, 'unsubscribed', 'boolean') ??
    checkType(id, 'id', 'string') ??
    checkType(email, 'email', 'string') ??
    checkType(anonymousId, 'anonymous_id', 'string') ??
    checkRelationships(attributes.cio_relationships)
  );
}

function checkPreferences(preferences: unknown, field: string): OperationError | undefined {
  if (preferences === undefined) return undefined;
  if (!isObject(preferences)) return fail(field, `${field} must be an object`);
  const { topics } = preferences;
  if (topics === undefined) return undefined;
  if (!isObject(topics)) return fail(`${field}.topics`, `${field}.topics must be an object`);
  const bad = Object.keys(topics).find((topic) => typeof topics[topic] !== 'boolean');
  return bad === undefined ? undefined : fail(`${field}.topics.${bad}`, `topic preference "${bad}" must be a boolean`);
}

function checkRelationships(value: unknown): OperationError | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value)) return fail('cio_relationships', 'cio_relationships must be an object');
  const error = checkEnum(value.action, 'cio_relationships.action', ['add_relationships', 'delete_relationships']);
  if (error) return error;
  const { relationships } = value;
  if (relationships !== undefined && !(Array.isArray(relationships) && relationships.every(isObject))) {
    return fail('cio_relationships.relationships', 'cio_relationships.relationships must be an array of objects');
  }
  return undefined;
}
