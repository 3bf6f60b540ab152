import type { ServerResponse } from 'node:http';

/** What the inspector's stream tells: a request answered, the sandbox reset, the scripted faults changed. */
export type InspectorFeedEvent = 'request' | 'reset' | 'faults';

/**
 * The inspector's server-sent events (internal): every open `GET /_sandbox/api/stream` gets each event as
 * `event: <name>` and `data: <JSON>`; a stream starts with `event: ready`.
 */
export class InspectorFeed {
  readonly #streams = new Set<ServerResponse>();

  /** Makes `res` a stream until the client leaves or {@link close}. */
  open(res: ServerResponse): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    });
    res.write('event: ready\ndata: {}\n\n');
    this.#streams.add(res);
    res.once('close', () => this.#streams.delete(res));
  }

  /** Sends `event` with `data` to every open stream. */
  publish(event: InspectorFeedEvent, data: unknown): void {
    if (this.#streams.size === 0) return;
    const frame = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const res of this.#streams) res.write(frame);
  }

  /** Ends every open stream. */
  close(): void {
    for (const res of this.#streams) res.end();
    this.#streams.clear();
  }
}
