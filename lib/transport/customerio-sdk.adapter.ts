import http from 'node:http';
import https from 'node:https';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import cio from 'customerio-node';
import type { APIClient, TrackClient } from 'customerio-node';
import { CUSTOMERIO_RESOLVED_OPTIONS } from '../customerio.constants.js';
import type { ResolvedCustomerIOOptions } from '../options/resolved-options.interface.js';
import { type CustomerIOResponseBody, failureError, readAnswer } from './customerio-answer.reader.js';
import { abortedError, CustomerIOConfigError } from '../errors/customerio.errors.js';
import { PIPELINES_NEEDS_SDK_5, TRACK_API_ONLY } from '../errors/customerio.messages.js';
import { type HttpAnswer, type SdkRequest, sendOnce } from './http.transport.js';
import { activeOutboundCall } from '../observability/outbound-call.context.js';
import { secondsSince } from '../observability/otel.attributes.js';

export type { CustomerIOResponseBody } from './customerio-answer.reader.js';

/** customerio-node 5.2's Pipelines client, as far as the module uses it; 4.x has none. */
type PipelinesClientClass = new (
  writeKey: string,
  defaults: { url: string; strictMode: boolean },
) => { request: TrackClient['request'] };

// NOTE: the installed types are 4.x's, which has no PipelinesClient.
const { PipelinesClient } = cio as unknown as { PipelinesClient?: PipelinesClientClass };

/**
 * Throws when `api: 'pipelines'` is chosen and the installed customerio-node (4.x) has no PipelinesClient. NOTE:
 * called at bootstrap before anything starts (a sandbox), so start-up fails rather than the first flush.
 */
export function assertPipelinesClient({ api }: Pick<ResolvedCustomerIOOptions, 'api'>): void {
  if (api === 'pipelines' && !PipelinesClient) throw new CustomerIOConfigError('api', PIPELINES_NEEDS_SDK_5);
}

/** Where one API's requests go: the SDK's base URL, and the connections to it. */
interface Endpoint {
  url: string;
  agent: http.Agent;
}

/**
 * The one place that makes customerio-node 4.4+ and 5.x behave alike. The SDK builds each request (path,
 * payload, auth header); the module sends it itself ({@link sendOnce}), on both majors: over keep-alive
 * connections of its own, with a deadline that releases the socket, never following a redirect (so an API
 * key never goes to another host), never retrying (retrying is the module's job); any 2xx is success, and
 * every failure becomes a {@link CustomerIOError}.
 */
@Injectable()
export class CustomerIOSdkAdapter implements OnApplicationShutdown {
  readonly #options: ResolvedCustomerIOOptions;
  readonly #track: Endpoint;
  readonly #app: Endpoint;
  readonly #pipelines: Endpoint;

  constructor(@Inject(CUSTOMERIO_RESOLVED_OPTIONS) options: ResolvedCustomerIOOptions) {
    assertPipelinesClient(options);
    this.#options = options;
    this.#track = endpoint(`${options.trackUrl}/api/v1`);
    this.#app = endpoint(`${options.appApiUrl}/v1`);
    this.#pipelines = endpoint(`${options.pipelinesUrl}/v1`);
  }

  /** Runs one Track API call; `signal` aborts it early, and it then fails with `signal`'s reason (see `abortedError`). */
  track<T>(call: (client: TrackClient) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const { track } = this.#options;
    if (!track) return Promise.reject(new CustomerIOConfigError('api', TRACK_API_ONLY('track')));
    const create = (defaults: { url: string }) => new cio.TrackClient(track.siteId, track.apiKey.reveal(), defaults);
    return this.#run(this.#track, create, call, signal);
  }

  /** Runs one App API call; the caller has checked that an App API key is configured. */
  app<T>(call: (client: APIClient) => Promise<T>): Promise<T> {
    const appApiKey = this.#options.appApiKey!;
    return this.#run(this.#app, (defaults) => new cio.APIClient(appApiKey.reveal(), defaults), call);
  }

  /** POSTs a body, already serialized as JSON, to a Track API v2 endpoint (`batch`, `entity`). */
  postV2(endpoint: 'batch' | 'entity', json: string | Buffer, signal?: AbortSignal): Promise<CustomerIOResponseBody> {
    return this.postTrack(`/api/v2/${endpoint}`, json, signal);
  }

  /** POSTs a body, already serialized as JSON, to a Track API path (`/api/v2/batch`, `/api/v1/events`, …). */
  postTrack(path: string, json: string | Buffer, signal?: AbortSignal): Promise<CustomerIOResponseBody> {
    const url = `${this.#options.trackUrl}${path}`;
    return this.track(({ request }) => postJson(request, url, json), signal);
  }

  /**
   * POSTs a body, already serialized as JSON, to a Pipelines API path (`/batch`, `/identify`, …) with the Pipelines
   * key and `X-Strict-Mode: 1`, so that Customer.io answers an invalid call 400 instead of dropping it.
   */
  postPipelines(path: string, json: string | Buffer, signal?: AbortSignal): Promise<CustomerIOResponseBody> {
    const key = this.#options.pipelinesKey!.reveal();
    const url = `${this.#pipelines.url}${path}`;
    const create = (defaults: { url: string }) => new PipelinesClient!(key, { ...defaults, strictMode: true });
    return this.#run(this.#pipelines, create, ({ request }) => postJson(request, url, json), signal);
  }

  onApplicationShutdown(): void {
    this.#track.agent.destroy();
    this.#app.agent.destroy();
    this.#pipelines.agent.destroy();
  }

  async #run<C extends { request: { handler: TrackClient['request']['handler'] } }, T>(
    { url, agent }: Endpoint,
    create: (defaults: { url: string }) => C,
    call: (client: C) => Promise<T>,
    cancel?: AbortSignal,
  ): Promise<T> {
    const deadline = AbortSignal.timeout(this.#options.timeoutMs);
    const signal = cancel ? AbortSignal.any([deadline, cancel]) : deadline;
    const client = create({ url });
    // NOTE: both SDK majors send every request through `request.handler` (4.x follows redirects there with
    // the same Authorization header, 5.x follows them too); this client's requests go through ours instead.
    client.request.handler = (request) => this.#send(request as SdkRequest, agent, signal);
    try {
      return await call(client);
    } catch (error) {
      if (cancel?.aborted) throw abortedError(cancel);
      throw failureError(error, this.#options.timeoutMs);
    }
  }

  /** Sends one HTTP attempt; a recorded call (see `activeOutboundCall`) is told its duration and status. */
  async #send(request: SdkRequest, agent: http.Agent, signal: AbortSignal): Promise<CustomerIOResponseBody> {
    const call = activeOutboundCall.getStore();
    if (!call) return readAnswer(await sendOnce(request, agent, signal), request.uri);
    const started = performance.now();
    let answer: HttpAnswer;
    try {
      answer = await sendOnce(request, agent, signal);
    } catch (error) {
      call.attempt(secondsSince(started), undefined, failureError(error, this.#options.timeoutMs));
      throw error;
    }
    call.attempt(secondsSince(started), answer.status);
    return readAnswer(answer, request.uri);
  }
}

/**
 * POSTs `json` as it is through the SDK's request handler. NOTE: the queue holds operations as JSON; sending that
 * JSON as it is spares a parse and a stringify of every batch. `options()` gives the SDK's own auth and headers.
 */
function postJson(
  request: TrackClient['request'],
  url: string,
  json: string | Buffer,
): Promise<CustomerIOResponseBody> {
  const { headers, ...options } = request.options(url, 'POST');
  const body = json as string; // NOTE: the module's transport sends a Buffer as it is.
  return request.handler({ ...options, headers: { ...headers, 'Content-Length': Buffer.byteLength(json) }, body });
}

/** An API's base URL and a keep-alive agent for it. */
function endpoint(url: string): Endpoint {
  const agent =
    new URL(url).protocol === 'https:' ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
  return { url, agent };
}
