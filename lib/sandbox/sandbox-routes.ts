import { CUSTOMERIO_LIMITS } from '../customerio.constants.js';
import type { IncomingHttpHeaders } from 'node:http';
import { appApi } from './app-api.router.js';
import { pipelines } from './pipelines.router.js';
import { PIPELINES_CALLS, type PipelinesCallKind } from './pipelines.rules.js';
import { metaError, NOT_FOUND, type Reply, tooLarge } from './sandbox-reply.js';
import type { SandboxRecords } from './sandbox-records.js';
import type { SandboxState } from './sandbox-operations.js';
import { trackV1, unsubscribe } from './track-v1.router.js';
import { trackV2Batch, trackV2Entity } from './track-v2.router.js';

/**
 * Largest request bodies the sandbox reads, in bytes, by API; a larger one is answered 413 (see
 * {@link SandboxRoute}), except by the Pipelines API, which answers 200 and drops it. NOTE: Customer.io
 * documents no request limit for v1 and the App API; these leave room for the largest valid call (300 attributes of
 * 1,000 bytes; 100,000 bytes of event data; transactional attachments).
 */
export const SANDBOX_BODY_LIMITS = {
  trackV1: 500_000,
  entity: CUSTOMERIO_LIMITS.batchOperationBytes,
  batch: CUSTOMERIO_LIMITS.batchRequestBytes,
  appApi: 3_000_000,
  pipelinesCall: CUSTOMERIO_LIMITS.batchOperationBytes,
  pipelinesBatch: CUSTOMERIO_LIMITS.batchRequestBytes,
} as const;

/** The Pipelines API's paths under `/v1` (all `POST`). */
const PIPELINES_PATHS: readonly string[] = [...PIPELINES_CALLS, 'batch'];

/** Where a request goes: which credentials it needs, the largest body it accepts, and what applies it (internal). */
export interface SandboxRoute {
  /**
   * `track`: HTTP Basic site id and API key; `app`: Bearer App API key; `pipelines`: HTTP Basic Pipelines key and an
   * empty password; `none`: any or none.
   */
  credentials: 'track' | 'app' | 'pipelines' | 'none';
  /** Largest body read; past it the answer is 413 (Pipelines: 200) and the connection closes. */
  maxBodyBytes: number;
  /**
   * Applies the body (`undefined`: it was over `maxBodyBytes`, of which `bytes` were read) sent with `headers` and
   * returns the answer.
   */
  apply(body: Buffer | undefined, bytes: number, headers: IncomingHttpHeaders): Reply;
}

/** Percent-decodes path segments; `undefined` when one is malformed. */
function decodeSegments(segments: string[]): string[] | undefined {
  try {
    return segments.map((segment) => decodeURIComponent(segment));
  } catch {
    return undefined;
  }
}

/**
 * The route of `method url` (a path and its query), or the answer when there is none (400 for a malformed path, 404
 * for an unknown API), given before reading the body or checking credentials.
 */
export function resolveRoute(
  state: SandboxState,
  records: SandboxRecords,
  method: string,
  url: string,
): SandboxRoute | Reply {
  const [pathname, search = ''] = url.split('?', 2);
  const query = new URLSearchParams(search);
  const segments = decodeSegments(pathname.split('/').slice(1));
  if (!segments) return { ...metaError(400, 'invalid URL encoding'), close: true };
  const route = (
    credentials: SandboxRoute['credentials'],
    maxBodyBytes: number,
    apply: (body: Buffer) => Reply,
  ): SandboxRoute => ({
    credentials,
    maxBodyBytes,
    apply: (body) => (body ? apply(body) : tooLarge(maxBodyBytes)),
  });
  if (segments[0] === 'api' && segments[1] === 'v1') {
    return route('track', SANDBOX_BODY_LIMITS.trackV1, (body) =>
      trackV1(state, records, method, segments.slice(2), body, query),
    );
  }
  if (segments[0] === 'api' && segments[1] === 'v2') {
    const endpoint = `${method} ${segments.slice(2).join('/')}`;
    if (endpoint === 'POST batch') {
      const limit = SANDBOX_BODY_LIMITS.batch;
      return {
        credentials: 'track',
        maxBodyBytes: limit,
        apply: (body, bytes) => trackV2Batch(state, records, body, bytes, limit),
      };
    }
    return route('track', SANDBOX_BODY_LIMITS.entity, (body) =>
      endpoint === 'POST entity' ? trackV2Entity(state, body) : NOT_FOUND,
    );
  }
  if (method === 'POST' && segments[0] === 'unsubscribe' && segments.length === 2) {
    return route('none', SANDBOX_BODY_LIMITS.trackV1, (body) => unsubscribe(state, records, segments[1], body));
  }
  if (method === 'POST' && segments[0] === 'v1' && segments.length === 2 && PIPELINES_PATHS.includes(segments[1])) {
    const path = segments[1] as PipelinesCallKind | 'batch';
    const limit = path === 'batch' ? SANDBOX_BODY_LIMITS.pipelinesBatch : SANDBOX_BODY_LIMITS.pipelinesCall;
    return {
      credentials: 'pipelines',
      maxBodyBytes: limit,
      apply: (body, bytes, headers) =>
        pipelines(records, state.strict, { path, body, bytes, limit, strictMode: headers['x-strict-mode'] === '1' }),
    };
  }
  if (segments[0] === 'v1')
    return route('app', SANDBOX_BODY_LIMITS.appApi, (body) =>
      appApi(records, state.strict, method, segments.slice(1), body),
    );
  return { ...NOT_FOUND, close: true };
}
