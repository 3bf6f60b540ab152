import type { APIClient, TrackClient } from 'customerio-node';
import { APP_API_KEY_REQUIRED, TRACK_API_ONLY } from '../errors/customerio.messages.js';
import { CustomerIOConfigError } from '../errors/customerio.errors.js';
import { createOperationIdFactory } from '../delivery/operation-id.js';
import type { ApiPost, AppRequest, DirectRequest } from '../operations/operation.interface.js';
import type { ResolvedCustomerIOOptions } from '../options/resolved-options.interface.js';
import type { CustomerIOResponseBody, CustomerIOSdkAdapter } from '../transport/customerio-sdk.adapter.js';
import type { OutboundPipeline } from '../transport/outbound-pipeline.service.js';

/** What a call resolves to in mode `'disabled'`, where nothing is sent (App API calls return it; the others nothing). */
const NOT_SENT: CustomerIOResponseBody = Object.freeze({});

/** Sends the direct form of an operation (see `DirectRequest`): one request, through the interceptor chain. */
export class DirectRequestSender {
  readonly #sdk: CustomerIOSdkAdapter;
  readonly #pipeline: OutboundPipeline;
  readonly #options: ResolvedCustomerIOOptions;
  readonly #nextId = createOperationIdFactory();

  constructor(sdk: CustomerIOSdkAdapter, pipeline: OutboundPipeline, options: ResolvedCustomerIOOptions) {
    this.#sdk = sdk;
    this.#pipeline = pipeline;
    this.#options = options;
  }

  /**
   * Sends one request through the interceptor chain (retries included), as `operation` (the method's name); in
   * mode `'disabled'`, sends nothing. An App API request needs the App API key, a Track API request its credentials.
   */
  send(operation: string, request: AppRequest): Promise<CustomerIOResponseBody>;
  send(operation: string, request: DirectRequest): Promise<unknown>;
  send(operation: string, request: DirectRequest): Promise<unknown> {
    if (request.api === 'app' && !this.#options.appApiKey) {
      throw new CustomerIOConfigError('appApiKey', APP_API_KEY_REQUIRED(operation));
    }
    if ((request.api === 'track' || request.api === 'entity') && !this.#options.track) {
      throw new CustomerIOConfigError('api', TRACK_API_ONLY(operation));
    }
    if (this.#options.mode === 'disabled') return Promise.resolve(NOT_SENT);
    return this.#pipeline.send({ kind: 'direct', operation, size: 1 }, this.#sender(request));
  }

  /** What sends `request` once (the pipeline calls it again to retry). */
  #sender(request: DirectRequest): () => Promise<unknown> {
    if (request.api === 'entity' || request.api === 'pipelines') {
      const body = typeof request.json === 'string' ? request.json : request.json(this.#nextId());
      return request.api === 'entity'
        ? () => this.#sdk.postV2('entity', body)
        : () => this.#sdk.postPipelines(request.path, body);
    }
    if (request.api === 'track') {
      const call = 'call' in request ? request.call : post<TrackClient>(this.#options.trackUrl, request);
      return () => this.#sdk.track(call);
    }
    const call = 'call' in request ? request.call : post<APIClient>(this.#options.appApiUrl, request);
    return () => this.#sdk.app(call);
  }
}

/** A call of the SDK's client posting `body`, as JSON, to `path` under `root`, with the SDK's own auth and headers. */
function post<C extends TrackClient | APIClient>(root: string, { path, body }: ApiPost<'track' | 'app'>) {
  return (client: C): Promise<unknown> => client.request.post(`${root}${path}`, body);
}
