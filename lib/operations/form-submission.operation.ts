import { CustomerIOValidationError } from '../errors/customerio.errors.js';
import { checkEventData, checkName } from '../validation/input.checks.js';
import { INVALID_VALUE } from '../errors/customerio.messages.js';
import type { ApiPost } from './operation.interface.js';

/**
 * The fields of a submitted form: who submitted it (exactly one of `email` or `id`) and the form's other fields,
 * every value a string (Customer.io maps fields to attributes by name, or as set on its Forms page).
 */
export type CustomerIOFormData = ({ email: string; id?: never } | { id: string; email?: never }) &
  Record<string, string>;

/**
 * Submitting a form (`submitForm`; no batch form), identifying the person by `data.email` or `data.id`:
 * `POST /api/v1/forms/{form_id}/submit`.
 */
export function formSubmissionRequest(formId: string, data: CustomerIOFormData): ApiPost<'track'> {
  const id = checkName(formId, 'formId');
  checkEventData(data, 'data');
  const who = ['email', 'id'].filter((name) => name in data);
  if (who.length !== 1) {
    throw new CustomerIOValidationError(
      'data',
      'exactly one of email, id',
      INVALID_VALUE('data', 'exactly one of "email" or "id"', who.join(' and ') || 'neither'),
    );
  }
  for (const [name, value] of Object.entries(data)) {
    if (typeof value !== 'string')
      throw new CustomerIOValidationError(`data.${name}`, 'string', INVALID_VALUE(`data.${name}`, 'a string', value));
  }
  checkName(data[who[0]], `data.${who[0]}`);
  return { api: 'track', path: `/api/v1/forms/${encodeURIComponent(id)}/submit`, body: { data } };
}
