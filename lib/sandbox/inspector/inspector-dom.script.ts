/** The inspector's DOM helpers, `/_sandbox/inspector-dom.js` (text only through `textContent` and attributes). */
export const INSPECTOR_DOM_JS = String.raw`// The inspector's DOM helpers: every text goes in through textContent or an attribute, never as HTML.
(function () {
  'use strict';
  const SI = (window.SandboxInspector = window.SandboxInspector || {});

  /** An element with attributes (text: its textContent) and children (strings become text nodes). */
  SI.el = function (tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name === 'text') node.textContent = String(value);
      else node.setAttribute(name, String(value));
    }
    for (const child of children || []) {
      if (child !== undefined && child !== null && child !== false)
        node.append(typeof child === 'string' ? document.createTextNode(child) : child);
    }
    return node;
  };

  /** Replaces the children of parent with nodes, or with an empty-list note. */
  SI.fill = function (parent, nodes, emptyText) {
    if (nodes.length === 0) parent.replaceChildren(SI.el('li', { class: 'empty', text: emptyText }));
    else parent.replaceChildren(...nodes);
  };

  /** Calls the JSON API; rejects with its error message. */
  SI.api = async function (path, init) {
    const response = await fetch('/_sandbox/api/' + path, init);
    const body = await response.json();
    if (!response.ok) throw new Error((body && body.error) || 'HTTP ' + response.status);
    return body;
  };

  /** Sends body as JSON with method. */
  SI.send = function (path, method, body) {
    const init = { method: method, headers: { 'Content-Type': 'application/json' } };
    if (body !== undefined) init.body = JSON.stringify(body);
    return SI.api(path, init);
  };

  const DATE_KEY = /(_at|At|_date|Date|_time|Time|timestamp|Timestamp|last_used|lastUsed)$/;
  // NOTE: unix seconds from 2000-01-01 to 2100-01-01: an id-like number outside it stays a number
  const FIRST_SECOND = 946684800;
  const LAST_SECOND = 4102444800;

  /** Whether value, under key, reads as unix seconds. */
  SI.isUnixSeconds = function (key, value) {
    const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
    return DATE_KEY.test(key) && Number.isInteger(number) && number >= FIRST_SECOND && number <= LAST_SECOND;
  };

  /** ms since the epoch as an ISO 8601 date. */
  SI.iso = function (ms) {
    return new Date(ms).toISOString();
  };

  /** A value under key: unix seconds as a <time> (ISO date, the raw number in title), objects as JSON. */
  SI.value = function (key, value) {
    if (SI.isUnixSeconds(key, value)) {
      const iso = SI.iso(Number(value) * 1000);
      return SI.el('time', { datetime: iso, title: String(value), text: iso });
    }
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    return SI.el('span', { text: text === undefined ? '' : text });
  };

  /** A <dl> of record's keys and values (see {@link SI.value}). */
  SI.fields = function (record, testid) {
    const rows = [];
    for (const [key, value] of Object.entries(record || {})) {
      rows.push(SI.el('dt', { text: key }), SI.el('dd', { 'data-attribute': key }, [SI.value(key, value)]));
    }
    return SI.el('dl', { 'data-testid': testid }, rows);
  };

  /** A status as a badge classed by its hundreds (status-2…). */
  SI.status = function (status) {
    return SI.el('span', { class: 'badge status-' + String(status).charAt(0), text: status === 0 ? '—' : status });
  };
})();
`;
