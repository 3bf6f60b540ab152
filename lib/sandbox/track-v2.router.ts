import { batchOperationSizes } from './batch-operation.scanner.js';
import { metaError, OK, parseJson, type Reply, tooLarge } from './sandbox-reply.js';
import type { BatchProblem, SandboxRecords } from './sandbox-records.js';
import type { SandboxState } from './sandbox-operations.js';
import { isObject } from './sandbox-validation.js';

/** Applies a `POST /api/v2/entity` body: one operation. */
export function trackV2Entity(state: SandboxState, body: Buffer): Reply {
  const parsed = parseJson(body);
  if (!parsed) return metaError(400, 'invalid JSON');
  const error = state.applyOperation(parsed.value);
  return error ? { status: 400, body: { errors: [error] } } : OK;
}

/**
 * Applies a `POST /api/v2/batch` body (`undefined`: it was over `limit` bytes, answered 413) and
 * records the batch with the status answered.
 */
export function trackV2Batch(
  state: SandboxState,
  records: SandboxRecords,
  body: Buffer | undefined,
  bytes: number,
  limit: number,
): Reply {
  const tooLong = (): BatchOutcome => ({
    reply: tooLarge(limit),
    operations: 0,
    problems: [{ reason: `request is larger than ${limit} bytes` }],
  });
  const { reply, operations, problems } = body ? applyBatch(state, body) : tooLong();
  records.addBatch({ api: 'track', operations, bytes, status: reply.status }, problems);
  return reply;
}

interface BatchOutcome {
  reply: Reply;
  operations: number;
  problems: BatchProblem[];
}

function applyBatch(state: SandboxState, body: Buffer): BatchOutcome {
  const parsed = parseJson(body);
  if (!parsed) return { reply: metaError(400, 'invalid JSON'), operations: 0, problems: [{ reason: 'invalid JSON' }] };
  if (!isObject(parsed.value) || !Array.isArray(parsed.value.batch)) {
    const error = { reason: 'invalid', field: 'batch', message: 'batch must be an array of operations' };
    return { reply: { status: 400, body: { errors: [error] } }, operations: 0, problems: [{ reason: error.message }] };
  }
  const operations: unknown[] = parsed.value.batch;
  const sizes = batchOperationSizes(body);
  const errors = operations.flatMap((op, index) => {
    const error = state.applyOperation(op, sizes?.[index]);
    return error ? [{ batch_index: index, ...error }] : [];
  });
  const problems = errors.map(({ batch_index, field, message }) => ({
    index: batch_index,
    reason: field === undefined ? message : `${field}: ${message}`,
  }));
  return {
    reply: errors.length > 0 ? { status: 207, body: { errors } } : OK,
    operations: operations.length,
    problems,
  };
}
