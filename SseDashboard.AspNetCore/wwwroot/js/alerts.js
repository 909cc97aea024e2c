// The alerts panel: its buttons (silence a rule on a host, end a silence, send a test to a destination) post to
// /api/alerts with the page's antiforgery token; how many fire shows in the page title and the header badge.
(() => {
  const meta = (name) => document.querySelector(`meta[name="${name}"]`)?.content;
  const api = meta('alerts-api');
  if (!api) {
    return;
  }

  const title = document.title;

  async function send(method, path, body) {
    const response = await fetch(api + path, {
      method,
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'RequestVerificationToken': meta('request-verification-token') ?? '' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) {
      const problem = await response.json().catch(() => ({}));
      throw new Error(problem.detail ?? problem.title ?? `${response.status}`);
    }
  }

  async function act(button, action, done) {
    button.disabled = true;
    try {
      await action();
      button.textContent = done;
    } catch (error) {
      button.disabled = false;
      button.title = `Failed: ${error.message}`;
      button.classList.add('failed');
    }
  }

  document.addEventListener('click', (event) => {
    const silence = event.target.closest('[data-silence]');
    if (silence) {
      const { rule, host, silence: duration } = silence.dataset;
      act(silence, () => send('POST', '/silences', { rule, host: host || null, duration }), 'Silenced');
      return;
    }

    const end = event.target.closest('[data-unsilence]');
    if (end) {
      act(end, () => send('DELETE', `/silences/${encodeURIComponent(end.dataset.unsilence)}`), 'Ended');
      return;
    }

    const test = event.target.closest('[data-test-destination]');
    if (test) {
      act(test, () => send('POST', `/destinations/${encodeURIComponent(test.dataset.testDestination)}/test`), 'Sent');
    }
  });

  function showFiring() {
    const firing = Number(document.querySelector('.alerts-body')?.dataset.firing ?? 0);
    document.title = firing > 0 ? `(${firing} firing) ${title}` : title;
    const badge = document.querySelector('[data-alerts-badge]');
    if (badge) {
      badge.textContent = `${firing} firing`;
      badge.hidden = firing === 0;
    }
  }

  document.addEventListener('htmx:afterSettle', showFiring);
  document.addEventListener('htmx:sseMessage', showFiring);
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', showFiring);
  } else {
    showFiring();
  }
})();
