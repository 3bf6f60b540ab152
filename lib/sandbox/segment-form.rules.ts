import { fail, identifierKey, isObject, type Json, type OperationError } from './sandbox-validation.js';

// Rules of manual segments and form submissions, from Customer.io's Track API document:
// `POST /api/v1/segments/{segment_id}/add_customers|remove_customers?id_type=` takes an int32 segment id, `id_type`
// one of id, email, cio_id (default id) and `{ids: [1 to 1000 strings]}`; `POST /api/v1/forms/{form_id}/submit`
// takes `{data}` naming the person by exactly one of `email` or `id`, every value a string.

/** `id_type` values of the segment membership endpoints. */
const ID_TYPES: readonly string[] = ['id', 'email', 'cio_id'];
const MAX_SEGMENT_ID = 2_147_483_647;
const MAX_IDS = 1000;

/** Checks a segment membership request; returns the segment id and the members as `people` keys them. */
export function segmentMembers(
  segment: string,
  idType: string | null,
  body: Json,
  strict: boolean,
): { segmentId: number; keys: string[] } | OperationError {
  const segmentId = Number(segment);
  if (!/^\d+$/.test(segment) || segmentId < 1 || segmentId > MAX_SEGMENT_ID)
    return fail('segment_id', 'segment_id must be a 32-bit integer');
  const type = idType ?? 'id';
  if (!ID_TYPES.includes(type)) return fail('id_type', `id_type must be one of ${ID_TYPES.join(', ')}`);
  const { ids } = body;
  if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_IDS)
    return fail('ids', `ids must be an array of 1 to ${MAX_IDS} identifiers`);
  const keys: string[] = [];
  for (const [index, id] of ids.entries()) {
    const key = identifierKey({ [type]: id }, `ids[${index}]`, ID_TYPES, strict);
    if ('reason' in key) return key;
    keys.push(key.key);
  }
  return { segmentId, keys };
}

/** Checks a form submission's body; returns its `data`. */
export function formData(body: Json, strict: boolean): { data: Record<string, string> } | OperationError {
  const { data } = body;
  if (!isObject(data)) return fail('data', 'data must be an object');
  const who = ['email', 'id'].filter((name) => name in data);
  if (who.length !== 1) return fail('data', 'data must name the person by exactly one of email, id');
  const person = data[who[0]];
  if (typeof person !== 'string' || person.trim() === '')
    return fail(`data.${who[0]}`, `data.${who[0]} must be a non-blank string`);
  if (strict) {
    const other = Object.keys(data).find((name) => typeof data[name] !== 'string');
    if (other !== undefined) return fail(`data.${other}`, `data.${other} must be a string`);
  }
  return { data: data as Record<string, string> };
}
