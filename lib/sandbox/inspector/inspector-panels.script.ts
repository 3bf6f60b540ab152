/** The inspector's panels, `/_sandbox/inspector-panels.js`: people, events, requests, batches, faults. */
export const INSPECTOR_PANELS_JS = String.raw`// The inspector's panels: each renders one part of the JSON API's answers.
(function () {
  'use strict';
  const SI = window.SandboxInspector;
  const el = SI.el;
  const $ = (id) => document.getElementById(id);

  SI.renderCounts = function (state) {
    const c = state.counts;
    $('counts').textContent =
      c.requests + ' requests · ' + c.people + ' people · ' + c.events + ' events · ' + c.batches + ' batches' +
      (state.settings.strict ? '' : ' · lenient');
  };

  SI.renderPeople = function (people) {
    const rows = people.map((person) =>
      el('li', { 'data-testid': 'person-row', 'data-person-key': person.key }, [
        el('strong', { 'data-testid': 'person-key', text: person.key }),
        person.suppressed ? el('span', { class: 'badge', text: 'suppressed' }) : null,
        SI.fields(person.attributes, 'person-attributes'),
        person.devices.length === 0
          ? null
          : el(
              'ul',
              { 'data-testid': 'person-devices' },
              person.devices.map((device) =>
                el('li', { 'data-device-id': device.id }, [
                  el('span', { class: 'badge', text: device.platform || 'device' }),
                  device.id,
                  ' ',
                  device.lastUsed === undefined ? null : SI.value('last_used', device.lastUsed),
                ]),
              ),
            ),
      ]),
    );
    SI.fill($('people-list'), rows, 'No people yet.');
  };

  SI.renderEvents = function (events) {
    const rows = events.map((event) => {
      const who = event.personId !== undefined ? event.personId : event.anonymousId || '';
      return el('li', { 'data-testid': 'event-row', 'data-person-id': who, 'data-event-name': event.name }, [
        event.receivedAt === null ? null : el('time', { datetime: SI.iso(event.receivedAt), text: SI.iso(event.receivedAt).slice(11, 19) }),
        ' ',
        el('span', { class: 'badge', text: event.api + ' ' + event.type }),
        el('strong', { 'data-testid': 'event-name', text: event.name }),
        ' ',
        el('span', { 'data-testid': 'event-person', text: who === '' ? '' : '— ' + who }),
        event.timestamp === undefined ? null : el('span', {}, [' at ', SI.value('timestamp', event.timestamp)]),
        el('div', { class: 'data', text: JSON.stringify(event.data) }),
      ]);
    });
    SI.fill($('events-list'), rows, 'No events match.');
  };

  SI.renderRequests = function (requests, selectedId) {
    const rows = requests.map((request) =>
      el('li', {}, [
        el(
          'button',
          {
            type: 'button',
            'data-testid': 'request-row',
            'data-request-id': request.id,
            'data-status': request.status,
            'aria-pressed': String(request.id === selectedId),
          },
          [
            SI.status(request.status),
            request.method + ' ' + request.path,
            el('span', {
              class: 'data',
              text: ' ' + (request.durationMs === null ? 'pending' : request.durationMs + ' ms') + ' · ' + SI.iso(request.receivedAt).slice(11, 23),
            }),
          ],
        ),
      ]),
    );
    SI.fill($('requests-list'), rows, 'No requests yet.');
  };

  const headersText = (headers) =>
    headers === null ? '(not answered)' : Object.entries(headers).map(([name, value]) => name + ': ' + value).join('\n');
  const bodyText = (body, truncated) => (body === null ? '(not read, or no longer kept)' : body + (truncated ? '\n… (cut at 64 KiB)' : ''));

  SI.renderDetail = function (detail) {
    $('request-detail').hidden = detail === null;
    if (detail === null) return;
    $('request-detail-summary').textContent =
      detail.method + ' ' + detail.path + (detail.query ? '?' + detail.query : '') + ' → ' +
      (detail.status === 0 ? 'no answer' : detail.status) +
      (detail.durationMs === null ? '' : ' in ' + detail.durationMs + ' ms');
    $('request-detail-request-headers').textContent = headersText(detail.request.headers);
    $('request-detail-request-body').textContent = bodyText(detail.request.body, detail.request.bodyTruncated);
    $('request-detail-response-headers').textContent = headersText(detail.response.headers);
    $('request-detail-response-body').textContent = bodyText(detail.response.body, detail.response.bodyTruncated);
  };

  SI.renderBatches = function (batches) {
    const rows = batches.map((batch) =>
      el('li', { 'data-testid': 'batch-row', 'data-outcome': batch.outcome, 'data-status': batch.status }, [
        SI.status(batch.status),
        el('span', { class: 'badge', text: batch.api }),
        batch.operations + ' operations, ' + batch.bytes + ' bytes: ' + batch.outcome,
        el('ul', {}, [
          ...batch.reasons.map((reason) => el('li', { 'data-testid': 'batch-reason', text: reason })),
          ...batch.items.map((item) =>
            el('li', {
              'data-testid': 'batch-item',
              'data-index': item.index,
              'data-outcome': item.outcome,
              text: '#' + item.index + ' ' + item.outcome + ': ' + item.reason,
            }),
          ),
        ]),
      ]),
    );
    SI.fill($('batches-list'), rows, 'No batches yet.');
  };

  const faultText = (fault) => {
    const what =
      fault.kind === 'status'
        ? fault.status + (fault.retryAfter === undefined ? '' : ' (Retry-After ' + fault.retryAfter + ')')
        : fault.kind === 'delay'
          ? 'delay ' + fault.ms + ' ms'
          : fault.kind;
    const where = (fault.method || 'any method') + ' ' + (fault.path || 'every path');
    return what + ' · ' + where + ' · ' + (fault.remaining === null ? 'until cleared' : fault.remaining + ' left');
  };

  SI.renderFaults = function (faults) {
    const rows = faults.map((fault) => el('li', { 'data-testid': 'fault-row', 'data-kind': fault.kind, text: faultText(fault) }));
    SI.fill($('faults-list'), rows, 'No faults: every request is answered normally.');
  };
})();
`;
