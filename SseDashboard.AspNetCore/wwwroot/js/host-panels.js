// SseDashboard's panels in a host app's own page (<sse-panel>): one stream for every panel on the page, opened by htmx's
// SSE extension from the page's body and resuming right after the panels' first paint. Runs before htmx processes the
// page (deferred scripts run before DOMContentLoaded), so htmx finds the connection on the body.
(function () {
  'use strict';

  const config = document.querySelector('[data-sse-dashboard]');
  const panels = document.querySelectorAll('[data-sse-panel]');
  if (!config || panels.length === 0) {
    return;
  }

  const topics = [];
  const slotted = [];
  // In a fleet each panel shows one host's events, or (a log without host=) every host's.
  const hosts = [];
  let everyHost = false;
  panels.forEach(function (panel) {
    const topic = panel.dataset.ssePanel;
    if (!topics.includes(topic)) {
      topics.push(topic);
    }
    if (panel.dataset.sseSlotted && !slotted.includes(topic)) {
      slotted.push(topic);
    }
    const host = panel.dataset.sseHost;
    if (!host) {
      everyHost = true;
    } else if (!hosts.includes(host)) {
      hosts.push(host);
    }
  });

  if (slotted.length > 0) {
    // In a fleet a host's panel is filled by out-of-band swaps into its slot: this element only takes them in.
    const taker = document.createElement('div');
    taker.hidden = true;
    taker.setAttribute('sse-swap', slotted.join(','));
    taker.setAttribute('hx-swap', 'none');
    document.body.appendChild(taker);
  }

  let url = config.dataset.sseDashboard + '?topics=' + encodeURIComponent(topics.join(',')) +
    '&lastEventId=' + encodeURIComponent(config.dataset.lastEventId);
  if (!everyHost) {
    url += '&hosts=' + encodeURIComponent(hosts.join(','));
  }
  document.body.setAttribute('hx-ext', 'sse');
  document.body.setAttribute('sse-connect', url);
})();
