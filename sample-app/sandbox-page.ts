import type { CustomerIOQueueStats } from '../lib/index.js';
import type { CustomerIOSandbox, SandboxEvent, SandboxPerson } from '../lib/testing/index.js';

/** `value` as HTML text: every character that could start markup or end an attribute is escaped. */
export const escapeHtml = (value: unknown): string =>
  String(value).replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

const json = (value: unknown): string => escapeHtml(JSON.stringify(value));
const time = (timestamp?: number): string =>
  timestamp === undefined ? '' : new Date(timestamp * 1000).toISOString().replace('T', ' ').slice(0, 19);

function personRow(person: SandboxPerson): string {
  const attributes = Object.entries(person.attributes)
    .map(([name, value]) => `<div><b>${escapeHtml(name)}</b> ${json(value)}</div>`)
    .join('');
  const devices = Object.keys(person.devices).length;
  const notes = [person.suppressed ? 'suppressed' : '', devices > 0 ? `${devices} device(s)` : '']
    .filter(Boolean)
    .join(', ');
  return `<tr><td><code>${escapeHtml(person.id)}</code>${notes && `<br><i>${escapeHtml(notes)}</i>`}</td><td>${attributes}</td></tr>`;
}

function eventRow(event: SandboxEvent): string {
  // NOTE: the sandbox records a Pipelines call of an anonymousId alone under that id, as the person it keys.
  const who =
    event.personId === undefined || event.personId === event.anonymousId
      ? `anonymous <code>${escapeHtml(event.anonymousId ?? '?')}</code>`
      : `<code>${escapeHtml(event.personId)}</code>`;
  const name =
    event.type === 'event' ? escapeHtml(event.name) : `${escapeHtml(event.name)} <i>(${escapeHtml(event.type)})</i>`;
  return `<tr><td>${time(event.timestamp)}</td><td>${who}</td><td><b>${name}</b></td><td><code>${json(event.data)}</code></td></tr>`;
}

const table = (headings: string[], rows: string[], empty: string): string =>
  rows.length === 0
    ? `<p><i>${empty}</i></p>`
    : `<table><thead><tr>${headings.map((heading) => `<th>${heading}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;

/** `kept`, or `the last kept of received` once the sandbox has forgotten some. */
const shown = (kept: number, received: number): string =>
  kept === received ? `${kept}` : `the last ${kept} of ${received}`;

/** The page at `/customerio`: what the sandbox received, and the queue's counters. */
export function renderSandboxPage(sandbox: CustomerIOSandbox, stats: Readonly<CustomerIOQueueStats>): string {
  const people = [...sandbox.people.values()];
  const events = sandbox.events;
  const counts = sandbox.counts;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Customer.io sandbox: ${people.length} people, ${events.length} events</title>
<style>
  body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 70rem; padding: 0 1rem; color: #1d1d1f; }
  table { border-collapse: collapse; width: 100%; margin-bottom: 1.5rem; }
  th, td { border-bottom: 1px solid #ddd; padding: .35rem .6rem; text-align: left; vertical-align: top; }
  th { background: #f4f4f6; }
  code, pre { font: 13px ui-monospace, monospace; }
  pre { background: #f4f4f6; padding: .8rem; overflow-x: auto; }
  small { color: #666; font-weight: normal; }
  .inspector { background: #eef4ff; border: 1px solid #b7cdf5; border-radius: 6px; padding: .8rem 1rem; font-size: 1.1em; }
  .inspector a { font-weight: 600; }
</style>
</head>
<body>
<h1>What reached Customer.io <small>(the local sandbox)</small></h1>
<p class="inspector"><a href="${escapeHtml(sandbox.url)}/">Open the sandbox's live inspector</a>: every request,
person and event as it arrives, at <code>${escapeHtml(sandbox.url)}/</code>.</p>
<p>This app has no Customer.io credentials, so it sends to a Customer.io sandbox it started at <code>${escapeHtml(sandbox.url)}</code>:
nothing on this page left this machine. The sandbox received ${counts.batches} batch request(s), ${counts.requests} request(s) in all,
and keeps the last ${sandbox.maxRecords} of each thing it records. Reload to update.</p>
<h2>People <small>${people.length}</small></h2>
${table(['id', 'attributes'], people.map(personRow), 'Nobody yet: run <code>npm run drive</code>, or sign up with <code>POST /signup</code>.')}
<h2>Events <small>${shown(events.length, counts.events)}, in the order received</small></h2>
${table(['time (UTC)', 'who', 'event', 'data'], events.map(eventRow), 'No events yet.')}
<h2>Queue <small><a href="/customerio/stats">as JSON</a> · <a href="/health">health</a> · <a href="/metrics">metrics</a></small></h2>
<pre>${escapeHtml(JSON.stringify(stats, null, 2))}</pre>
</body>
</html>
`;
}
