// SseDashboard in the browser, the connection: wraps htmx.createEventSource so every connection resumes after the
// newest event shown (lastEventId), shows connecting/connected/reconnecting/stopped, and wires Stop/Start.
// Loaded as a file: works under script-src 'self'.
(function () {
  'use strict';

  // The id of the newest event this page has shown; every connection the extension opens resumes after it.
  let lastEventId = null;
  let stopped = false;
  let source = null;

  const createEventSource = htmx.createEventSource;
  htmx.createEventSource = function (url) {
    // One connection per page, even when a retry the extension scheduled meets a Start.
    if (source) {
      source.close();
    }
    source = createEventSource(resumeUrl(url));
    if (stopped) {
      // A retry the extension scheduled before Stop was pressed: stay stopped.
      source.close();
    }
    return source;
  };

  function resumeUrl(url) {
    if (lastEventId === null) {
      return url;
    }
    const resumed = new URL(url, document.baseURI);
    resumed.searchParams.set('lastEventId', lastEventId);
    return resumed.pathname + resumed.search;
  }

  function setStatus(state) {
    document.querySelectorAll('[data-conn-status]').forEach(function (el) {
      el.dataset.connStatus = state;
      el.textContent = state;
      el.title = 'Live stream: ' + state;
    });
    document.querySelectorAll('[data-stream-stop]').forEach(function (b) { b.hidden = state === 'stopped'; });
    document.querySelectorAll('[data-stream-start]').forEach(function (b) { b.hidden = state !== 'stopped'; });
  }

  document.addEventListener('htmx:sseMessage', function (e) {
    // The extension passes the MessageEvent itself as the detail.
    if (e.detail && e.detail.lastEventId) {
      lastEventId = e.detail.lastEventId;
    }
  });
  document.addEventListener('htmx:sseOpen', function () {
    if (!stopped) {
      setStatus('connected');
    }
  });
  document.addEventListener('htmx:sseError', function () {
    // EventSource retries by itself, and the extension reopens a closed one: either way it is reconnecting.
    if (!stopped) {
      setStatus('reconnecting');
    }
  });
  document.addEventListener('htmx:sseClose', function (e) {
    // The extension also closes a source it replaces or whose element left the page: only a close the server asked
    // for (an sse-close event) or Stop means the stream is stopped.
    if (stopped || (e.detail && e.detail.type === 'message')) {
      setStatus('stopped');
    }
  });

  function stop() {
    stopped = true;
    if (source) {
      source.close();
    }
    setStatus('stopped');
  }

  function start() {
    const root = document.querySelector('[sse-connect]');
    if (!root) {
      return;
    }
    stopped = false;
    setStatus('connecting');
    // htmx re-initialises elements whose attributes changed: the container opens a new source, the panels listen to it.
    const epoch = String(Number(root.dataset.sseEpoch || '0') + 1);
    root.dataset.sseEpoch = epoch;
    root.querySelectorAll('[sse-swap]').forEach(function (el) { el.dataset.sseEpoch = epoch; });
    htmx.process(root);
  }

  function init() {
    document.querySelectorAll('[data-stream-stop]').forEach(function (b) { b.addEventListener('click', stop); });
    document.querySelectorAll('[data-stream-start]').forEach(function (b) { b.addEventListener('click', start); });
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
