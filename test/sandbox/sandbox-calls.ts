import type { CustomerIOSandbox } from '../../lib/testing/index.js';

/** An answer of the sandbox, its body parsed as JSON. */
export interface Answer {
  status: number;
  body: unknown;
  headers: Headers;
}

/** A ULID (event ids must be ULIDs), distinct for each `n`. */
export const ulid = (n: number): string => `01HZX${String(n).padStart(21, '0')}`;

/** The `meta.errors` of a Track API v1 error answer. */
export const v1Errors = (answer: Answer): unknown => (answer.body as { meta: { errors: string[] } }).meta.errors;

/** Calls to the sandbox `current()` returns, with its credentials (Track API for `/api/...`, App API otherwise). */
export function sandboxCalls(current: () => CustomerIOSandbox) {
  const trackAuth = (): string => `Basic ${Buffer.from(`${current().siteId}:${current().apiKey}`).toString('base64')}`;
  const appAuth = (): string => `Bearer ${current().appApiKey}`;
  /** Sends `body` (a string as is, anything else as JSON) and reads the answer. */
  async function call(method: string, path: string, body?: unknown, init: RequestInit = {}): Promise<Answer> {
    const authorization = path.startsWith('/api/') ? trackAuth() : appAuth();
    const response = await fetch(`${current().url}${path}`, {
      method,
      headers: { authorization, 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      ...init,
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? undefined : JSON.parse(text), headers: response.headers };
  }
  const batch = (ops: unknown[]): Promise<Answer> => call('POST', '/api/v2/batch', { batch: ops });
  const pipelinesAuth = (): string => `Basic ${Buffer.from(`${current().pipelinesKey}:`).toString('base64')}`;
  /** Posts `body` to the Pipelines API's `/v1/{path}`, with `X-Strict-Mode: 1` when `strictMode`. */
  const pipelines = (path: string, body: unknown, strictMode = false): Promise<Answer> =>
    call('POST', `/v1/${path}`, body, {
      headers: { authorization: pipelinesAuth(), ...(strictMode && { 'x-strict-mode': '1' }) },
    });
  return { trackAuth, appAuth, pipelinesAuth, call, batch, pipelines };
}
