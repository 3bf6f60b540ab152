/** The inspector page served at `/`: markup only, its scripts and styles are files under `/_sandbox/`. */
export const INSPECTOR_HTML = String.raw`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Customer.io sandbox</title>
    <link rel="stylesheet" href="/_sandbox/inspector.css" />
    <script src="/_sandbox/inspector-dom.js" defer></script>
    <script src="/_sandbox/inspector-panels.js" defer></script>
    <script src="/_sandbox/inspector.js" defer></script>
  </head>
  <body>
    <header>
      <h1>Customer.io sandbox</h1>
      <p id="counts" data-testid="counts"></p>
      <p id="stream-status" data-testid="stream-status" data-state="connecting">connecting…</p>
      <button type="button" id="reset" data-testid="reset">Reset</button>
    </header>
    <main>
      <section aria-labelledby="faults-title">
        <h2 id="faults-title">Faults</h2>
        <form id="fault-form" data-testid="fault-form">
          <label>Kind
            <select id="fault-kind" data-testid="fault-kind">
              <option value="503">503 Service Unavailable</option>
              <option value="429">429 Too Many Requests</option>
              <option value="hang">Hang (never answer)</option>
              <option value="reset">Reset the connection</option>
              <option value="delay">Delay</option>
            </select>
          </label>
          <label id="fault-retry-after-field">Retry-After (s)
            <input id="fault-retry-after" data-testid="fault-retry-after" type="number" min="0" step="1" />
          </label>
          <label id="fault-delay-field" hidden>Delay (ms)
            <input id="fault-delay-ms" data-testid="fault-delay-ms" type="number" min="0" step="1" />
          </label>
          <label>Times
            <input id="fault-times" data-testid="fault-times" type="number" min="1" step="1" placeholder="until cleared" />
          </label>
          <label>Path
            <input id="fault-path" data-testid="fault-path" type="text" placeholder="every path, e.g. /api/v2/batch" />
          </label>
          <button type="submit" data-testid="fault-apply">Apply</button>
          <button type="button" id="fault-clear" data-testid="fault-clear">Clear all</button>
        </form>
        <p id="fault-error" data-testid="fault-error" role="alert"></p>
        <ul id="faults-list" data-testid="faults-list" class="rows"></ul>
      </section>
      <section aria-labelledby="people-title">
        <h2 id="people-title">People</h2>
        <ul id="people-list" data-testid="people-list" class="rows"></ul>
      </section>
      <section aria-labelledby="events-title">
        <h2 id="events-title">Events</h2>
        <div class="filters">
          <label>Person <input id="filter-person" data-testid="filter-person" type="search" /></label>
          <label>Event name <input id="filter-name" data-testid="filter-name" type="search" /></label>
        </div>
        <ol id="events-list" data-testid="events-list" class="rows"></ol>
      </section>
      <section aria-labelledby="requests-title">
        <h2 id="requests-title">Requests</h2>
        <ul id="requests-list" data-testid="requests-list" class="rows"></ul>
        <article id="request-detail" data-testid="request-detail" hidden>
          <h3 id="request-detail-summary" data-testid="request-detail-summary"></h3>
          <h4>Request headers</h4>
          <pre id="request-detail-request-headers" data-testid="request-detail-request-headers"></pre>
          <h4>Request body</h4>
          <pre id="request-detail-request-body" data-testid="request-detail-request-body"></pre>
          <h4>Response headers</h4>
          <pre id="request-detail-response-headers" data-testid="request-detail-response-headers"></pre>
          <h4>Response body</h4>
          <pre id="request-detail-response-body" data-testid="request-detail-response-body"></pre>
        </article>
      </section>
      <section aria-labelledby="batches-title">
        <h2 id="batches-title">Batches</h2>
        <ul id="batches-list" data-testid="batches-list" class="rows"></ul>
      </section>
    </main>
  </body>
</html>
`;

/** The inspector's styles, `/_sandbox/inspector.css`. */
export const INSPECTOR_CSS = String.raw`:root { color-scheme: light dark; font: 14px/1.4 system-ui, sans-serif; }
body { margin: 0; }
header { display: flex; gap: 1rem; align-items: center; padding: 0.5rem 1rem; border-bottom: 1px solid #8884; }
header h1 { font-size: 1.2rem; margin: 0; }
header p { margin: 0; }
main { display: grid; grid-template-columns: repeat(auto-fit, minmax(26rem, 1fr)); gap: 1rem; padding: 1rem; }
section { border: 1px solid #8884; border-radius: 6px; padding: 0.5rem 1rem; min-width: 0; }
h2 { font-size: 1.05rem; }
.rows { list-style: none; margin: 0; padding: 0; max-height: 28rem; overflow: auto; }
.rows > li { border-top: 1px solid #8883; padding: 0.3rem 0; }
.rows > li > button { all: unset; display: block; width: 100%; cursor: pointer; font-family: monospace; }
.rows > li > button:focus-visible { outline: 2px solid Highlight; }
.rows > li > button[aria-pressed='true'] { font-weight: bold; }
.empty { color: GrayText; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0 0.75rem; margin: 0.25rem 0; }
dt { font-weight: 600; }
dd { margin: 0; font-family: monospace; overflow-wrap: anywhere; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #8881; padding: 0.5rem; max-height: 20rem; overflow: auto; }
form, .filters { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: end; margin-bottom: 0.5rem; }
label { display: flex; flex-direction: column; font-size: 0.85rem; }
input { width: 10rem; }
[role='alert'] { color: #c33; margin: 0; }
.badge { display: inline-block; padding: 0 0.3rem; border-radius: 3px; background: #8883; font-size: 0.8rem; margin-right: 0.3rem; }
.status-2 { color: #2a2; }
.status-4, .status-5, .status-0 { color: #c33; }
.data { font-family: monospace; font-size: 0.85rem; overflow-wrap: anywhere; color: GrayText; }
`;
