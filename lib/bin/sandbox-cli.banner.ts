import type { CustomerIOSandbox } from '../sandbox/customerio-sandbox.js';

/**
 * What the command prints once the sandbox listens: its URLs, the credentials it accepts (sandbox credentials, printed
 * on purpose) and the environment that points nestjs-customerio, or any client, at it.
 */
export function sandboxCliBanner(sandbox: CustomerIOSandbox): string {
  const { url } = sandbox;
  const rules = sandbox.strict ? "Customer.io's published rules enforced" : "only Customer.io's limits checked";
  return [
    `Customer.io sandbox listening on ${url} (region ${sandbox.region}; ${rules}; the last ${sandbox.maxRecords} of each record kept)`,
    '',
    `  Inspector:      ${url}/`,
    `  Track API:      ${url}/api/v1 and ${url}/api/v2   site id ${sandbox.siteId}, API key ${sandbox.apiKey} (HTTP Basic)`,
    `  App API:        ${url}/v1   key ${sandbox.appApiKey} (Bearer)`,
    `  Pipelines API:  ${url}/v1   key ${sandbox.pipelinesKey} (HTTP Basic, empty password)`,
    '',
    'Point nestjs-customerio at it (the URLs are origins: the module appends /api/v1, /v1):',
    `  CUSTOMERIO_TRACK_URL=${url} CUSTOMERIO_SITE_ID=${sandbox.siteId} CUSTOMERIO_API_KEY=${sandbox.apiKey} \\`,
    `  CUSTOMERIO_APP_API_URL=${url} CUSTOMERIO_APP_API_KEY=${sandbox.appApiKey} \\`,
    `  CUSTOMERIO_PIPELINES_URL=${url} CUSTOMERIO_PIPELINES_KEY=${sandbox.pipelinesKey}`,
    '',
    'Ctrl-C stops it.',
    '',
  ].join('\n');
}
