// The sample app's GET /metrics: the module's OpenTelemetry metrics as Prometheus text, after real traffic to
// the sandbox (a signup, one batch answered 503 and then delivered).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type RunningSample, startSample } from './sample-app.harness.js';

describe('sample app GET /metrics', () => {
  let sample: RunningSample;
  beforeAll(async () => {
    sample = await startSample({ USAGE_REPORT_INTERVAL_MS: '600000' });
  });
  afterAll(() => sample.app.close());

  it('serves the sent operations, durations, retries and queue gauges as Prometheus text', async () => {
    sample.sandbox!.respondWith(503, { path: '/api/v2/batch', times: 1 });
    const { status } = await sample.request('POST', '/signup', {
      body: { email: 'ada@example.com', name: 'Ada', password: 'correct horse' },
    });
    expect(status).toBe(201);
    await sample.client.flush();
    await sample.client.flush();
    const { delivered } = sample.client.stats;
    expect(delivered).toBeGreaterThan(0);

    const response = await fetch(`${sample.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    const line = (pattern: RegExp) => text.split('\n').find((candidate) => pattern.test(candidate));
    const sent = line(/^messaging_client_sent_messages_total\{.*customerio_outcome="delivered"/);
    expect(sent).toMatch(/messaging_system="customerio"/);
    expect(Number(sent?.split(' ').at(-1))).toBe(delivered);
    expect(line(/^customerio_client_retries_total\{.*error_type="503".*\} 1$/)).toBeDefined();
    expect(line(/^messaging_client_operation_duration_count\{.*customerio_operation="batch"/)).toBeDefined();
    expect(line(/^http_client_request_duration_count\{.*http_response_status_code="503".*\} 1$/)).toBeDefined();
    expect(line(/^customerio_queue_operations\{.*\} 0$/)).toBeDefined();
    expect(line(/^customerio_queue_oldest_age\{.*\} 0$/)).toBeDefined();
    expect(line(/^customerio_circuit_state\{.*customerio_circuit_state="closed".*\} 1$/)).toBeDefined();
    expect(line(/^customerio_circuit_state\{.*customerio_circuit_state="open".*\} 0$/)).toBeDefined();
  });
});
