import type { SandboxExchange } from '../sandbox-exchanges.js';
import type { SandboxRecords } from '../sandbox-records.js';
import type {
  SandboxBatch,
  SandboxEvent,
  SandboxObject,
  SandboxPerson,
  SandboxRequestRecord,
} from '../sandbox-records.interface.js';

/** A request as the JSON API lists it. */
export interface RequestSummary {
  /** Its id, for `GET /_sandbox/api/requests/:id`. */
  id: number;
  method: string;
  path: string;
  /** Status answered; 0 while unanswered, and for hung and reset requests. */
  status: number;
  /** Milliseconds until answered (or the connection closed); `null` while open. */
  durationMs: number | null;
  /** Body bytes read. */
  bytes: number;
  /** `Date.now()` at arrival. */
  receivedAt: number;
}

/** How a batch came out: every item applied, some, none (refused: answered 400 or 413), or dropped with a 200. */
export type BatchOutcome = 'applied' | 'partial' | 'refused' | 'dropped';

/** The newest `limit` entries of `list` that `keep`, newest first. */
export function newest<T>(list: readonly T[], limit: number, keep: (entry: T) => boolean = () => true): T[] {
  const found: T[] = [];
  for (let index = list.length - 1; index >= 0 && found.length < limit; index -= 1)
    if (keep(list[index])) found.push(list[index]);
  return found;
}

/** The newest `limit` people (the most recently written first), each with the key it is stored under. */
export function peopleView(people: Map<string, SandboxPerson>, limit: number): unknown[] {
  return newest([...people], limit).map(([key, person]) => ({
    key,
    id: person.id,
    attributes: person.attributes,
    devices: Object.values(person.devices),
    suppressed: person.suppressed,
  }));
}

/** The newest `limit` objects, the most recently written first. */
export function objectsView(objects: Map<string, SandboxObject>, limit: number): SandboxObject[] {
  return newest([...objects.values()], limit);
}

/** `event` with its arrival time (`null` once unknown). */
export const eventView = (records: SandboxRecords, event: SandboxEvent): unknown => ({
  ...event,
  receivedAt: records.arrivedAt(event) ?? null,
});

/** Whether `event` matches the filters: case-insensitive parts of its person (or anonymous id) and of its name. */
export function eventFilter(person: string, name: string): (event: SandboxEvent) => boolean {
  const personPart = person.toLowerCase();
  const namePart = name.toLowerCase();
  return (event) =>
    (event.personId ?? event.anonymousId ?? '').toLowerCase().includes(personPart) &&
    event.name.toLowerCase().includes(namePart);
}

/** `record` as the JSON API lists it. */
export function requestSummary(record: SandboxRequestRecord, exchange: SandboxExchange | undefined): RequestSummary {
  const { method, path, status, bytes, receivedAt } = record;
  return { id: exchange?.id ?? 0, method, path, status, durationMs: exchange?.durationMs ?? null, bytes, receivedAt };
}

/** One request in full: masked request headers, bodies (`null`: not read, or forgotten), the answer. */
export function requestDetail(exchange: SandboxExchange): unknown {
  const { record, query, requestHeaders, requestBody, responseHeaders, responseBody } = exchange;
  return {
    ...requestSummary(record, exchange),
    query,
    request: {
      headers: requestHeaders,
      body: requestBody?.text ?? null,
      bodyTruncated: requestBody?.truncated ?? false,
    },
    response: {
      status: record.status,
      headers: responseHeaders ?? null,
      body: responseBody?.text ?? null,
      bodyTruncated: responseBody?.truncated ?? false,
    },
  };
}

/**
 * `batch` with its arrival time, its outcome, why the whole request was not applied (`reasons`), and each item it
 * did not apply (`items`: `refused` with a 207 or a 400, `dropped` by the Pipelines API's 200); items not listed were
 * applied, unless the outcome is `refused` or `dropped`.
 */
export function batchView(records: SandboxRecords, batch: SandboxBatch): unknown {
  const problems = records.batchProblems(batch);
  const reasons = problems.filter(({ index }) => index === undefined).map(({ reason }) => reason);
  const itemOutcome = batch.status === 200 ? 'dropped' : 'refused';
  const items = problems.flatMap(({ index, reason }) =>
    index === undefined ? [] : [{ index, outcome: itemOutcome, reason }],
  );
  let outcome: BatchOutcome = 'applied';
  if (batch.status >= 400) outcome = 'refused';
  else if (reasons.length > 0) outcome = 'dropped';
  else if (items.length > 0) outcome = 'partial';
  return { ...batch, receivedAt: records.arrivedAt(batch) ?? null, outcome, reasons, items };
}
