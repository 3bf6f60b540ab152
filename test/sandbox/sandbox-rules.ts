import { expect } from '@jest/globals';
import type { CustomerIOSandbox } from '../../lib/testing/index.js';

/** An answer of the sandbox, its body parsed as JSON. */
export interface RuleAnswer {
  status: number;
  body: unknown;
}

/** A ULID, as event ids must be. */
export const ULID = '01HZX000000000000000000001';

/** A v2 person operation on person `u1`. */
export const person = (action: string, fields: Record<string, unknown> = {}): Record<string, unknown> => ({
  type: 'person',
  identifiers: { id: 'u1' },
  action,
  ...fields,
});

/** A v2 object operation on object `1`/`o`. */
export const object = (action: string, fields: Record<string, unknown> = {}): Record<string, unknown> => ({
  type: 'object',
  identifiers: { object_type_id: '1', object_id: 'o' },
  action,
  ...fields,
});

/** Calls and rule assertions against the sandbox `current()` returns (or `target`). */
export function ruleChecks(current: () => CustomerIOSandbox) {
  /** Sends `body` as JSON with the sandbox's credentials (Track API for `/api/...`, App API otherwise). */
  async function call(method: string, path: string, body: unknown, target = current()): Promise<RuleAnswer> {
    const authorization = path.startsWith('/api/')
      ? `Basic ${Buffer.from(`${target.siteId}:${target.apiKey}`).toString('base64')}`
      : `Bearer ${target.appApiKey}`;
    const response = await fetch(`${target.url}${path}`, {
      method,
      headers: { authorization, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
  }
  /**
   * Sends `valid` then `invalid` operations in one batch: every valid one is accepted, and each invalid one is
   * answered 207 with `{batch_index, reason: 'invalid', field, message}` blaming the field given beside it.
   */
  async function expectBatchRule(valid: unknown[], invalid: Array<[op: unknown, field: string]>): Promise<void> {
    const answer = await call('POST', '/api/v2/batch', { batch: [...valid, ...invalid.map(([op]) => op)] });
    expect(answer).toEqual({
      status: 207,
      body: {
        errors: invalid.map(([, field], index) => ({
          batch_index: valid.length + index,
          reason: 'invalid',
          field,
          message: expect.any(String),
        })),
      },
    });
  }

  /** Sends each body: the valid ones answered 200 (`{}` on the Track API), the invalid ones 400 `{"meta":{"errors":[message]}}` naming `field`. */
  async function expectV1Rule(
    method: string,
    path: string,
    valid: unknown[],
    invalid: Array<[body: unknown, field: string]>,
  ): Promise<void> {
    for (const body of valid)
      expect({ body, answer: await call(method, path, body) }).toMatchObject({ body, answer: { status: 200 } });
    for (const [body, field] of invalid) {
      const answer = await call(method, path, body);
      expect({ body, answer }).toEqual({
        body,
        answer: { status: 400, body: { meta: { errors: [expect.stringContaining(field)] } } },
      });
    }
  }

  return { call, expectBatchRule, expectV1Rule };
}
