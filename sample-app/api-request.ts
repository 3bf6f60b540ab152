/** What the sample app's API answered: its status, and its body as JSON (or as text when it is not JSON). */
export interface ApiAnswer {
  status: number;
  ok: boolean;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  text: string;
}

/** Options of one request: a JSON body, a session token, an anonymous visitor's id. */
export interface ApiRequestOptions {
  body?: object;
  token?: string;
  anonymousId?: string;
}

/** One request to the sample app's API, made the way its users (the driver, the e2e tests) make them. */
export async function apiRequest(
  base: string,
  method: string,
  path: string,
  { body, token, anonymousId }: ApiRequestOptions = {},
): Promise<ApiAnswer> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(body && { 'content-type': 'application/json' }),
      ...(token && { authorization: `Bearer ${token}` }),
      ...(anonymousId && { 'x-anonymous-id': anonymousId }),
    },
    body: body && JSON.stringify(body),
  });
  const text = await response.text();
  const json = response.headers.get('content-type')?.includes('json');
  return { status: response.status, ok: response.ok, body: json ? JSON.parse(text) : text, text };
}
