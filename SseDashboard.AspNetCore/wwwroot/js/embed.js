// SseDashboard in the browser, the Embed action: makes an embed token for one panel (POST /api/embed-tokens) and
// shows the <iframe> snippet to copy. The token is shown once, here; the server lists tokens without it.
(function () {
  'use strict';

  let panel = null;

  function init() {
    const dialog = document.querySelector('[data-embed-dialog]');
    if (!dialog) {
      return;
    }
    document.querySelectorAll('[data-embed]').forEach(function (button) {
      button.addEventListener('click', function () {
        panel = button.dataset.embed;
        dialog.querySelector('[data-embed-panel]').textContent = panel;
        show(dialog, '[data-embed-problem]', false);
        show(dialog, '[data-embed-result]', false);
        show(dialog, '[data-embed-copy]', false);
        dialog.showModal();
      });
    });
    dialog.querySelector('[data-embed-create]').addEventListener('click', function () { create(dialog); });
    dialog.querySelector('[data-embed-copy]').addEventListener('click', function () {
      const snippet = dialog.querySelector('[data-embed-snippet]');
      snippet.select();
      if (navigator.clipboard) {
        navigator.clipboard.writeText(snippet.value).catch(function () { /* selected: copy by hand */ });
      }
    });
  }

  async function create(dialog) {
    const origins = dialog.querySelector('[data-embed-origins]').value.split(/[\s,]+/).filter(Boolean);
    const expiresIn = dialog.querySelector('[data-embed-expires]').value;
    const problem = dialog.querySelector('[data-embed-problem]');
    show(dialog, '[data-embed-problem]', false);
    try {
      const response = await fetch(dialog.dataset.api, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ panels: [panel], expiresIn: expiresIn, origins: origins }),
      });
      const body = await response.json();
      if (!response.ok) {
        problem.textContent = body.errors ? Object.values(body.errors).flat().join(' ') : (body.detail || body.title);
        show(dialog, '[data-embed-problem]', true);
        return;
      }
      // On a fleet host's page, the panel of that host.
      const embed = new URL(body.url, document.baseURI);
      if (dialog.dataset.host) {
        embed.searchParams.set('host', dialog.dataset.host);
      }
      const url = embed.href;
      dialog.querySelector('[data-embed-snippet]').value =
        '<iframe src="' + attribute(url) + '" width="480" height="320" style="border:0" title="SseDashboard ' + attribute(panel) + '"></iframe>';
      show(dialog, '[data-embed-result]', true);
      show(dialog, '[data-embed-copy]', true);
    } catch (e) {
      problem.textContent = 'Could not make a token: ' + e.message;
      show(dialog, '[data-embed-problem]', true);
    }
  }

  function attribute(text) {
    return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  }

  function show(dialog, selector, visible) {
    dialog.querySelector(selector).hidden = !visible;
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
