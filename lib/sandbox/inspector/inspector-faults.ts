import { delayFault, type FaultAction, type FaultRule, statusFault } from '../sandbox-faults.js';
import type { SandboxFaultOptions } from '../sandbox-faults.interface.js';

/** A scripted fault as the JSON API shows it. */
export interface InspectorFault {
  /** What it does. */
  kind: FaultAction['kind'];
  /** `status`: the status answered. */
  status?: number;
  /** `status`: the `Retry-After` header sent, when one is. */
  retryAfter?: string;
  /** `delay`: milliseconds waited. */
  ms?: number;
  /** `reset`: whether the request is applied before the connection is destroyed. */
  afterProcessing?: boolean;
  /** Pathname prefix matched (a RegExp as `/source/flags`); `null`: every path. */
  path: string | null;
  /** Method matched; `null`: every method. */
  method: string | null;
  /** Uses left; `null`: until cleared. */
  remaining: number | null;
}

/** `rule` as the JSON API shows it. */
export function describeFault({ action, path, method, remaining }: Readonly<FaultRule>): InspectorFault {
  const shown: InspectorFault = {
    kind: action.kind,
    path: path === undefined ? null : String(path),
    method: method ?? null,
    remaining: Number.isFinite(remaining) ? remaining : null,
  };
  if (action.kind === 'status') {
    shown.status = action.reply.status;
    const retryAfter = action.reply.headers?.['Retry-After'];
    if (retryAfter !== undefined) shown.retryAfter = retryAfter;
  }
  if (action.kind === 'delay') shown.ms = action.ms;
  if (action.kind === 'reset') shown.afterProcessing = action.afterProcessing;
  return shown;
}

/** The fields each kind takes, beside `kind`, `times`, `path` and `method`. */
const KIND_FIELDS: Record<FaultAction['kind'], readonly string[]> = {
  status: ['status', 'retryAfter', 'body'],
  hang: [],
  reset: ['afterProcessing'],
  delay: ['ms'],
};
const COMMON_FIELDS = ['kind', 'times', 'path', 'method'];

/** A fault to add, or why the request body is not one (`field: message`). */
export type ParsedFault = { options: SandboxFaultOptions; action: FaultAction } | { error: string };

const isInteger = (value: unknown, min: number, max = Infinity): value is number =>
  Number.isInteger(value) && (value as number) >= min && (value as number) <= max;

/**
 * Reads a `POST /_sandbox/api/faults` body: `{ kind: 'status', status, retryAfter?, body? }`, `{ kind: 'hang' }`,
 * `{ kind: 'reset', afterProcessing? }` or `{ kind: 'delay', ms }`, each with `times?` (absent or `null`: until
 * cleared), `path?` (a pathname prefix) and `method?`.
 */
export function parseFault(value: unknown): ParsedFault {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { error: 'body: must be a JSON object' };
  const body = value as Record<string, unknown>;
  const kind = body.kind as FaultAction['kind'];
  if (!Object.hasOwn(KIND_FIELDS, kind)) return { error: 'kind: must be one of status, hang, reset, delay' };
  const unknown = Object.keys(body).find((key) => !COMMON_FIELDS.includes(key) && !KIND_FIELDS[kind].includes(key));
  if (unknown !== undefined) return { error: `${unknown}: not a field of a ${kind} fault` };
  const { times, path, method } = body;
  if (times !== undefined && times !== null && !isInteger(times, 1))
    return { error: 'times: must be an integer >= 1, or null (until cleared)' };
  if (path !== undefined && (typeof path !== 'string' || !path.startsWith('/')))
    return { error: 'path: must be a string starting with /' };
  if (method !== undefined && (typeof method !== 'string' || !/^[A-Za-z]+$/.test(method)))
    return { error: 'method: must be an HTTP method, e.g. POST' };
  const options: SandboxFaultOptions = { times: (times as number | null) ?? undefined, path, method };
  const action = parseAction(kind, body);
  return 'error' in action ? action : { options, action };
}

function parseAction(kind: FaultAction['kind'], body: Record<string, unknown>): FaultAction | { error: string } {
  switch (kind) {
    case 'status': {
      const { status, retryAfter } = body;
      if (!isInteger(status, 200, 599)) return { error: 'status: must be an integer from 200 to 599' };
      if (retryAfter !== undefined && !isInteger(retryAfter, 0) && (typeof retryAfter !== 'string' || !retryAfter))
        return { error: 'retryAfter: must be an integer >= 0 (seconds) or an HTTP date' };
      return statusFault(status, { retryAfter, body: body.body });
    }
    case 'delay':
      if (typeof body.ms !== 'number' || !(body.ms >= 0 && Number.isFinite(body.ms)))
        return { error: 'ms: must be a finite number >= 0' };
      return delayFault(body.ms);
    case 'reset':
      if (body.afterProcessing !== undefined && typeof body.afterProcessing !== 'boolean')
        return { error: 'afterProcessing: must be a boolean' };
      return { kind: 'reset', afterProcessing: body.afterProcessing ?? false };
    case 'hang':
      return { kind: 'hang' };
  }
}
