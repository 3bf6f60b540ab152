import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from '../request-body.reader.js';
import type { SandboxExchanges } from '../sandbox-exchanges.js';
import type { SandboxFaults } from '../sandbox-faults.js';
import { parseJson, type Reply } from '../sandbox-reply.js';
import type { SandboxRecords } from '../sandbox-records.js';
import { describeFault, parseFault } from './inspector-faults.js';
import type { InspectorFeed } from './inspector-feed.js';
import {
  batchView,
  eventFilter,
  eventView,
  newest,
  objectsView,
  peopleView,
  requestDetail,
  requestSummary,
} from './inspector-views.js';

/** Most bytes of a JSON API request body read. */
const API_BODY_BYTES = 64 * 1024;
/** Entries of each collection `GET /_sandbox/api/state` shows, and the default `limit` of the list endpoints. */
export const INSPECTOR_LIST_LIMIT = 100;

/** What the JSON API reads and acts on (internal). */
export interface InspectorParts {
  records: SandboxRecords;
  faults: SandboxFaults;
  exchanges: SandboxExchanges;
  feed: InspectorFeed;
  /** Resets the sandbox (see `CustomerIOSandbox.reset`). */
  reset(): void;
  /** The sandbox's settings the state shows. */
  settings: { strict: boolean; region: 'us' | 'eu'; maxRecords: number };
}

/** A JSON API answer: 400, 404, 405 with `{ "error": message }`. */
const failure = (status: number, error: string, headers?: Record<string, string>): Reply => ({
  status,
  body: { error },
  headers,
});

/**
 * The inspector's JSON API under `/_sandbox/api/` (internal): the recorded state, requests in detail (credentials
 * masked), batches with each item's outcome, reset, scripted faults, and the live stream. Lists are newest first.
 */
export class InspectorApi {
  constructor(private readonly parts: InspectorParts) {}

  /**
   * Answers `method` on `/_sandbox/api/<segments>` with `query`: a reply to send, or `undefined` when it answered
   * already (the stream).
   */
  async answer(
    req: IncomingMessage,
    res: ServerResponse,
    segments: string[],
    query: URLSearchParams,
  ): Promise<Reply | undefined> {
    const method = req.method ?? 'GET';
    const endpoint = segments.length === 2 && segments[0] === 'requests' ? 'requests/:id' : segments.join('/');
    const allowed = ALLOWED[endpoint];
    if (!allowed) return failure(404, `no endpoint /_sandbox/api/${segments.join('/')}`);
    if (!allowed.includes(method)) return failure(405, `${method} not allowed`, { Allow: allowed.join(', ') });
    if (endpoint === 'stream') {
      this.parts.feed.open(res);
      return undefined;
    }
    const limit = query.has('limit') ? Number(query.get('limit')) : INSPECTOR_LIST_LIMIT;
    if (!Number.isInteger(limit) || limit < 1) return failure(400, 'limit: must be an integer >= 1');
    if (method === 'GET') return this.#read(endpoint, segments, query, limit);
    const { body } = await readBody(req, API_BODY_BYTES);
    return this.#write(endpoint, method, body);
  }

  #read(endpoint: string, segments: string[], query: URLSearchParams, limit: number): Reply {
    const { records, exchanges } = this.parts;
    switch (endpoint) {
      case 'state':
        return ok(this.#state());
      case 'people':
        return ok({ count: records.people.size, people: peopleView(records.people, limit) });
      case 'objects':
        return ok({ count: records.objects.size, objects: objectsView(records.objects, limit) });
      case 'events': {
        const keep = eventFilter(query.get('person') ?? '', query.get('name') ?? '');
        return ok({ events: newest(records.events, limit, keep).map((event) => eventView(records, event)) });
      }
      case 'requests':
        return ok({
          requests: newest(records.requests, limit).map((record) => requestSummary(record, exchanges.of(record))),
        });
      case 'requests/:id': {
        const id = Number(segments[1]);
        const record = records.requests.findLast((entry) => exchanges.of(entry)?.id === id);
        const exchange = record && exchanges.of(record);
        return exchange ? ok(requestDetail(exchange)) : failure(404, `no request ${segments[1]} recorded`);
      }
      case 'batches':
        return ok({ batches: newest(records.batches, limit).map((batch) => batchView(records, batch)) });
      default:
        return ok({ faults: this.#faults() });
    }
  }

  #write(endpoint: string, method: string, body: Buffer | undefined): Reply {
    if (endpoint === 'reset') {
      this.parts.reset();
      return ok({ reset: true });
    }
    if (method === 'DELETE') {
      this.parts.faults.clear();
      return ok({ faults: [] });
    }
    if (!body) return failure(413, `body: larger than ${API_BODY_BYTES} bytes`);
    const parsed = parseJson(body);
    if (!parsed) return failure(400, 'body: invalid JSON');
    const fault = parseFault(parsed.value);
    if ('error' in fault) return failure(400, fault.error);
    this.parts.faults.add(fault.options, fault.action);
    return { status: 201, body: { faults: this.#faults() } };
  }

  #faults(): unknown[] {
    return this.parts.faults.active().map(describeFault);
  }

  #state(): unknown {
    const { records, settings } = this.parts;
    const limit = INSPECTOR_LIST_LIMIT;
    return {
      settings,
      counts: records.counts,
      duplicateEvents: records.duplicateEvents,
      people: peopleView(records.people, limit),
      objects: objectsView(records.objects, limit),
      events: newest(records.events, limit).map((event) => eventView(records, event)),
      batches: newest(records.batches, limit).map((batch) => batchView(records, batch)),
      faults: this.#faults(),
    };
  }
}

/** The JSON API's endpoints under `/_sandbox/api/` and their methods. */
const ALLOWED: Record<string, readonly string[]> = {
  state: ['GET'],
  people: ['GET'],
  objects: ['GET'],
  events: ['GET'],
  requests: ['GET'],
  'requests/:id': ['GET'],
  batches: ['GET'],
  faults: ['GET', 'POST', 'DELETE'],
  reset: ['POST'],
  stream: ['GET'],
};

const ok = (body: unknown): Reply => ({ status: 200, body });
