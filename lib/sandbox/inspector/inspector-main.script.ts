/** The inspector's main script, `/_sandbox/inspector.js`: loads the JSON API, listens to the stream, drives the faults. */
export const INSPECTOR_MAIN_JS = String.raw`// The inspector: loads the JSON API's answers, refreshes them on each event of the live stream, drives the faults.
(function () {
  'use strict';
  const SI = window.SandboxInspector;
  const $ = (id) => document.getElementById(id);
  let selectedId = null;
  let timer = null;
  let running = false;
  let again = false;
  let refreshes = 0;

  async function refresh() {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      const filters = new URLSearchParams({ person: $('filter-person').value, name: $('filter-name').value });
      const [state, events, requests] = await Promise.all([
        SI.api('state'),
        SI.api('events?' + filters.toString()),
        SI.api('requests'),
      ]);
      SI.renderCounts(state);
      SI.renderPeople(state.people);
      SI.renderEvents(events.events);
      SI.renderRequests(requests.requests, selectedId);
      SI.renderBatches(state.batches);
      SI.renderFaults(state.faults);
      refreshes += 1;
      document.body.dataset.refreshes = String(refreshes);
    } catch (error) {
      setStream('error', 'error: ' + error.message);
    } finally {
      running = false;
      if (again) {
        again = false;
        schedule();
      }
    }
  }

  /** Refreshes soon, once for a burst of events. */
  function schedule() {
    if (timer === null) timer = setTimeout(() => ((timer = null), refresh()), 50);
  }

  function setStream(state, text) {
    const status = $('stream-status');
    status.dataset.state = state;
    status.textContent = text;
  }

  async function showRequest(id) {
    selectedId = id;
    for (const row of document.querySelectorAll('[data-testid="request-row"]'))
      row.setAttribute('aria-pressed', String(Number(row.dataset.requestId) === id));
    try {
      SI.renderDetail(await SI.api('requests/' + id));
    } catch (error) {
      SI.renderDetail(null);
      setStream('error', 'error: ' + error.message);
    }
  }

  function syncFaultFields() {
    const kind = $('fault-kind').value;
    $('fault-retry-after-field').hidden = kind !== '503' && kind !== '429';
    $('fault-delay-field').hidden = kind !== 'delay';
  }

  /** The fault the form describes, as POST /_sandbox/api/faults takes it. */
  function faultFromForm() {
    const kind = $('fault-kind').value;
    const fault = {};
    if (kind === '503' || kind === '429') {
      fault.kind = 'status';
      fault.status = Number(kind);
      if ($('fault-retry-after').value !== '') fault.retryAfter = Number($('fault-retry-after').value);
    } else {
      fault.kind = kind;
      if (kind === 'delay') fault.ms = $('fault-delay-ms').value === '' ? null : Number($('fault-delay-ms').value);
    }
    if ($('fault-times').value !== '') fault.times = Number($('fault-times').value);
    if ($('fault-path').value.trim() !== '') fault.path = $('fault-path').value.trim();
    return fault;
  }

  async function changeFaults(method, body) {
    try {
      const answer = await SI.send('faults', method, body);
      $('fault-error').textContent = '';
      SI.renderFaults(answer.faults);
    } catch (error) {
      $('fault-error').textContent = error.message;
    }
  }

  function listen() {
    const stream = new EventSource('/_sandbox/api/stream');
    stream.addEventListener('ready', () => (setStream('live', 'live'), schedule()));
    stream.addEventListener('request', schedule);
    stream.addEventListener('faults', schedule);
    stream.addEventListener('reset', () => ((selectedId = null), SI.renderDetail(null), schedule()));
    stream.addEventListener('error', () => setStream('offline', 'offline, reconnecting…'));
  }

  $('requests-list').addEventListener('click', (event) => {
    const row = event.target.closest('[data-testid="request-row"]');
    if (row) showRequest(Number(row.dataset.requestId));
  });
  $('filter-person').addEventListener('input', schedule);
  $('filter-name').addEventListener('input', schedule);
  $('fault-kind').addEventListener('change', syncFaultFields);
  $('fault-form').addEventListener('submit', (event) => {
    event.preventDefault();
    changeFaults('POST', faultFromForm());
  });
  $('fault-clear').addEventListener('click', () => changeFaults('DELETE'));
  $('reset').addEventListener('click', () => SI.send('reset', 'POST').then(schedule, schedule));
  syncFaultFields();
  listen();
  refresh();
})();
`;
