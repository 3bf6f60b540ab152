import type { CustomerIOSandbox } from '../../lib/testing/index.js';

/** An answer of the inspector: its JSON body parsed (`undefined` for another type), its text as is. */
export interface InspectorAnswer {
  status: number;
  headers: Headers;
  text: string;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** A server-sent event as read. */
export interface StreamEvent {
  event: string;
  data: unknown;
}

/** `GET`s `path` of `sandbox`, or sends it `body` (a string as is, anything else as JSON) with `method`. */
export async function inspect(
  sandbox: CustomerIOSandbox,
  path: string,
  method = 'GET',
  body?: unknown,
): Promise<InspectorAnswer> {
  const response = await fetch(`${sandbox.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  const json = response.headers.get('content-type')?.startsWith('application/json') ? JSON.parse(text) : undefined;
  return { status: response.status, headers: response.headers, text, json };
}

/** Reads server-sent events from `reader` until `found` returns true for one; the events read, that one last. */
export async function readEvents(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  found: (event: StreamEvent) => boolean,
): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the stream ended after ${JSON.stringify(events)}`);
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const lines = buffer.slice(0, end).split('\n');
      buffer = buffer.slice(end + 2);
      const field = (name: string) => lines.find((line) => line.startsWith(`${name}: `))?.slice(name.length + 2);
      const event = { event: field('event') ?? 'message', data: JSON.parse(field('data') ?? 'null') };
      events.push(event);
      if (found(event)) return events;
    }
  }
}
