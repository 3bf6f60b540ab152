import { InspectorFeed } from './inspector/inspector-feed.js';
import { requestSummary } from './inspector/inspector-views.js';
import { SandboxInspector } from './inspector/sandbox-inspector.js';
import { SandboxExchanges } from './sandbox-exchanges.js';
import { SandboxFaults } from './sandbox-faults.js';
import { SandboxHttpServer } from './sandbox-http.server.js';
import { SandboxState } from './sandbox-operations.js';
import { type ResolvedSandboxOptions, sandboxAuthorization } from './sandbox-options.js';
import { SandboxRecords } from './sandbox-records.js';

/** What a started sandbox is made of (internal). */
export interface SandboxParts {
  records: SandboxRecords;
  faults: SandboxFaults;
  exchanges: SandboxExchanges;
  inspector: SandboxInspector;
  server: SandboxHttpServer;
  /** The port it listens on. */
  port: number;
}

/**
 * Builds a sandbox's parts and starts its server, the inspector's stream told of each request answered and each
 * change of the faults; `reset` resets the whole sandbox (the inspector's `POST /_sandbox/api/reset`).
 */
export async function startSandboxParts(options: ResolvedSandboxOptions, reset: () => void): Promise<SandboxParts> {
  const { strict, region, maxRecords } = options;
  const records = new SandboxRecords(maxRecords);
  const feed = new InspectorFeed();
  const faults = new SandboxFaults(() => feed.publish('faults', {}));
  const exchanges = new SandboxExchanges((exchange) =>
    feed.publish('request', requestSummary(exchange.record, exchange)),
  );
  const settings = { strict, region, maxRecords };
  const inspector = new SandboxInspector({ records, faults, exchanges, feed, reset, settings });
  const { server, port } = await SandboxHttpServer.listen(options.host, options.port, {
    records,
    state: new SandboxState(records, strict, region),
    faults,
    authorization: sandboxAuthorization(options),
    exchanges,
    ownRequest: (req, res) => inspector.handle(req, res),
  });
  return { records, faults, exchanges, inspector, server, port };
}
