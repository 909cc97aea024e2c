// SseDashboard in the browser, the connection: wraps htmx.createEventSource so every connection resumes after the
// newest event shown (lastEventId), reopens a closed connection after a jittered backoff, shows
// connecting/connected/reconnecting/stopped/signed out, and wires Stop/Start. Loaded as a file: works under script-src 'self'.
(function () {
  'use strict';

  // Backoff for reopening a closed connection: doubling from 1 s to 60 s, each delay drawn from [half, whole], and
  // back to the start once a connection has stayed up for a minute.
  const backoff = { first: 1000, max: 60000, healthy: 60000 };

  // The id of the newest event this page has shown; every connection the extension opens resumes after it.
  let lastEventId = null;
  let stopped = false;
  let source = null;
  let failures = 0;
  let openedAt = 0;
  let lastUptime = 0;
  let reopenTimer = null;
  let signedOut = false;

  const createEventSource = htmx.createEventSource;
  htmx.createEventSource = function (url) {
    // One connection per page, even when a retry the extension scheduled meets a Start.
    if (source) {
      source.close();
    }
    source = createEventSource(resumeUrl(url));
    reopenClosedWithBackoff(source);
    // The server's last word when the session or embed token behind the stream expired or was revoked.
    source.addEventListener('close', function (e) {
      let reason = '';
      try { reason = JSON.parse(e.data).reason || ''; } catch (_) { /* still signed out */ }
      signOut(reason);
    });
    if (stopped) {
      // A retry the extension scheduled before Stop was pressed: stay stopped.
      source.close();
    }
    return source;
  };

  // EventSource retries a dropped connection by itself, after the server's retry: (spread over [retry, 2 x retry)). A
  // connection it closed for good (a 503 when the server is full, a proxy's error page) the htmx extension reopens on
  // a fixed doubling schedule, the same in every tab: so closed ones are reopened here instead, after a jittered
  // backoff, and a restarted server does not get every tab back in the same 10 ms. The extension keeps its handler
  // for every other error.
  function reopenClosedWithBackoff(es) {
    let extensionOnError = null;
    Object.defineProperty(es, 'onerror', {
      get: function () { return extensionOnError; },
      set: function (handler) { extensionOnError = handler; },
    });
    es.addEventListener('open', function () { openedAt = Date.now(); });
    es.addEventListener('error', function (e) {
      if (openedAt) {
        // How long the connection stayed up, measured when it first failed (not including the time spent retrying).
        lastUptime = Date.now() - openedAt;
        openedAt = 0;
      }
      if (es.readyState !== EventSource.CLOSED) {
        if (extensionOnError) {
          extensionOnError.call(es, e);
        }
        return;
      }
      const root = document.querySelector('[sse-connect]');
      if (root) {
        htmx.trigger(root, 'htmx:sseError', { error: e, source: es });
      }
      scheduleReopen(es);
      signOutIfRefused(es);
    });
  }

  // EventSource does not say why it closed for good. Ask once while the backoff runs: a 401 or 403 means access ended
  // (every reconnect would be refused), so the page stops instead of retrying.
  function signOutIfRefused(closed) {
    const probe = new AbortController();
    fetch(closed.url, { headers: { Accept: 'text/event-stream' }, cache: 'no-store', signal: probe.signal })
      .then(function (response) {
        probe.abort();
        // Whichever source it was for: the session behind every reconnect is gone.
        if (!signedOut && (response.status === 401 || response.status === 403)) {
          signOut(response.status === 401 ? 'expired' : 'forbidden');
        }
      }, function () { /* the server is unreachable: the backoff goes on */ });
  }

  function signOut(reason) {
    signedOut = true;
    stopped = true;
    clearTimeout(reopenTimer);
    if (source) {
      source.close();
    }
    setStatus('signed out');
    document.querySelectorAll('[data-signed-out]').forEach(function (el) {
      el.hidden = false;
      el.dataset.reason = reason;
    });
  }

  function scheduleReopen(closed) {
    if (stopped || closed !== source) {
      return;
    }
    if (lastUptime >= backoff.healthy) {
      failures = 0;
    }
    lastUptime = 0;
    const ceiling = Math.min(backoff.max, backoff.first * Math.pow(2, failures));
    failures++;
    clearTimeout(reopenTimer);
    reopenTimer = setTimeout(function () {
      reopenTimer = null;
      if (!stopped) {
        open();
      }
    }, ceiling / 2 + Math.random() * ceiling / 2);
  }

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
    document.querySelectorAll('[data-stream-stop]').forEach(function (b) { b.hidden = state === 'stopped' || state === 'signed out'; });
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
    if (!signedOut && (stopped || (e.detail && e.detail.type === 'message'))) {
      setStatus('stopped');
    }
  });

  function stop() {
    stopped = true;
    clearTimeout(reopenTimer);
    if (source) {
      source.close();
    }
    setStatus('stopped');
  }

  function start() {
    if (signedOut) {
      return;
    }
    stopped = false;
    failures = 0;
    setStatus('connecting');
    open();
  }

  function open() {
    const root = document.querySelector('[sse-connect]');
    if (!root) {
      return;
    }
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
