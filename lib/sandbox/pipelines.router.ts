import { CUSTOMERIO_LIMITS } from '../customerio.constants.js';
import { batchOperationSizes } from './batch-operation.scanner.js';
import { applyPipelinesCall } from './pipelines-call.applier.js';
import { checkSemanticEvent } from './pipelines-semantic.rules.js';
import { batchCallKind, checkPipelinesCall, type PipelinesCallKind } from './pipelines.rules.js';
import { OK, parseJson, type Reply } from './sandbox-reply.js';
import type { BatchProblem, SandboxRecords } from './sandbox-records.js';
import { isObject, type Json, type OperationError } from './sandbox-validation.js';

/** A Pipelines request to apply (internal). */
export interface PipelinesRequest {
  /** `batch`, or the kind of the single call, from the path. */
  path: PipelinesCallKind | 'batch';
  /** The body; `undefined` when it was over `limit` bytes (reading stopped there). */
  body: Buffer | undefined;
  /** Bytes of the body read. */
  bytes: number;
  /** Largest body taken: 32 KB for a call, 500 KB for a batch. */
  limit: number;
  /** Whether the request sent `X-Strict-Mode: 1`: failures are answered 400 instead of 200 and dropped. */
  strictMode: boolean;
}

/** A call of a request, as checked: its kind when it has one, the error when it is invalid. */
interface CheckedCall {
  /** Where the call is in the request (`batch[3]`), `''` for a single call. */
  at: string;
  call: unknown;
  kind?: PipelinesCallKind;
  error?: OperationError;
}

/** `at` and the error's field joined, then its message: `batch[3].userId: required`. */
const describe = (at: string, error: OperationError): string =>
  `${[at, error.field].filter(Boolean).join('.') || 'body'}: ${error.message}`;

/**
 * Applies a Pipelines API request (`POST /v1/{identify,track,page,screen,group,alias,batch}`), as the API document
 * describes: a request over its limits (a call over 32 KB, a batch over 500 KB or holding a call over 32 KB) is
 * answered 200 and not applied; with `X-Strict-Mode: 1` a request with any invalid call is answered 400
 * `{"meta":{"errors":[...]}}` and not applied; without it, the valid calls are applied, the answer is 200 `{}`. What
 * the API would drop silently is recorded in `droppedCalls`; a batch in `batches`. `strict`: the sandbox's option.
 */
export function pipelines(records: SandboxRecords, strict: boolean, request: PipelinesRequest): Reply {
  const { reply, operations, problems } = applyRequest(records, strict, request);
  if (request.path === 'batch')
    records.addBatch({ api: 'pipelines', operations, bytes: request.bytes, status: reply.status }, problems);
  return reply;
}

/** What a request came to: the answer, its number of calls, and what was not applied. */
interface Outcome {
  reply: Reply;
  operations: number;
  problems: BatchProblem[];
}

function applyRequest(
  records: SandboxRecords,
  strict: boolean,
  { path, body, limit, strictMode }: PipelinesRequest,
): Outcome {
  const drop = (reason: string, operations = 0): Outcome => {
    records.add('droppedCalls', { reason });
    return { reply: { ...OK, close: body === undefined }, operations, problems: [{ reason }] };
  };
  if (!body) return drop(`request is larger than ${limit} bytes`);
  const parsed = parseJson(body);
  const value = parsed?.value;
  const invalid = (error: string): Outcome =>
    strictMode
      ? { reply: { status: 400, body: { meta: { errors: [error] } } }, operations: 0, problems: [{ reason: error }] }
      : drop(error);
  if (!parsed) return invalid('body: invalid JSON');
  if (!isObject(value)) return invalid('body: must be a JSON object');
  let calls: CheckedCall[];
  if (path === 'batch') {
    if (!Array.isArray(value.batch)) return invalid('batch: must be an array');
    const oversized = batchOperationSizes(body)?.findIndex((size) => size > CUSTOMERIO_LIMITS.batchOperationBytes);
    if (oversized !== undefined && oversized >= 0)
      return drop(
        `batch[${oversized}] is larger than ${CUSTOMERIO_LIMITS.batchOperationBytes} bytes`,
        value.batch.length,
      );
    calls = batchCalls(value, strict);
  } else {
    calls = [{ at: '', call: value, kind: path, error: checkCall(path, value, strict) }];
  }
  const problems = calls.flatMap(({ at, error }, index) => (error ? [{ index, reason: describe(at, error) }] : []));
  const errors = problems.map(({ reason }) => reason);
  if (strictMode && errors.length > 0)
    return { reply: { status: 400, body: { meta: { errors } } }, operations: calls.length, problems };
  for (const { kind, call, at, error } of calls) {
    if (error) records.add('droppedCalls', { reason: describe(at, error), call });
    else if (kind) applyPipelinesCall(records, kind, call as Json);
  }
  return { reply: OK, operations: calls.length, problems };
}

/**
 * The calls of a batch, checked, each with the batch's `context` under its own (the document: the batch's `context`
 * and `integrations` apply to all its calls).
 */
function batchCalls(body: Json, strict: boolean): CheckedCall[] {
  const shared = isObject(body.context) ? body.context : undefined;
  return (body.batch as unknown[]).map((item, index) => {
    const at = `batch[${index}]`;
    const kind = batchCallKind(item, strict);
    if (typeof kind !== 'string') return { at, call: item, error: kind };
    const own = (item as Json).context;
    const call =
      shared && (own === undefined || isObject(own)) ? { ...(item as Json), context: { ...shared, ...own } } : item;
    return { at, call, kind, error: checkCall(kind, call, strict) };
  });
}

/** Checks a call: its kind's rules, then a semantic event's. */
function checkCall(kind: PipelinesCallKind, call: unknown, strict: boolean): OperationError | undefined {
  return (
    checkPipelinesCall(call, kind, strict) ?? (kind === 'track' ? checkSemanticEvent(call as Json, strict) : undefined)
  );
}
