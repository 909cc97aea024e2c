// SseDashboard in the browser, the metric panels' range picker and history charts. "live" shows the panel as pushed;
// a range hides it (it goes on updating underneath) and shows the chart htmx loads from the picker's button
// (GET /panels/{name}/chart?range=…), drawn by the server. Pointing at a chart, or the arrow keys on it, moves a
// crosshair and reads out the nearest point from the svg's data attributes. Loaded as a file: works under
// script-src 'self'.
(function () {
  'use strict';

  const points = new WeakMap();

  function pickerNamed(name) {
    return document.querySelector('[data-chart-picker="' + CSS.escape(name) + '"]');
  }

  function viewOf(picker) {
    return document.querySelector('[data-chart-view="' + CSS.escape(picker.dataset.chartPicker) + '"]');
  }

  function selectedRange(picker) {
    const pressed = picker.querySelector('[data-chart-range][aria-pressed="true"]');
    return pressed ? pressed.dataset.chartRange : 'live';
  }

  function note(text) {
    const p = document.createElement('p');
    p.className = 'chart-note';
    p.textContent = text;
    return p;
  }

  // The button's own hx-get has already sent its request: this shows what is on the way, or the live panel.
  function select(button) {
    const picker = button.closest('[data-chart-picker]');
    const view = viewOf(picker);
    const live = document.getElementById('panel-' + picker.dataset.chartPicker + '-content');
    picker.querySelectorAll('[data-chart-range]').forEach(function (b) {
      b.setAttribute('aria-pressed', String(b === button));
    });
    if (button.dataset.chartRange === 'live') {
      // Emptied, the chart's refresh (htmx polling) stops with it.
      view.replaceChildren();
      view.hidden = true;
      live.hidden = false;
      return;
    }
    view.replaceChildren(note('Loading the last ' + button.textContent + '…'));
    view.setAttribute('aria-busy', 'true');
    view.hidden = false;
    live.hidden = true;
  }

  document.addEventListener('click', function (e) {
    const button = e.target.closest && e.target.closest('[data-chart-picker] [data-chart-range]');
    if (button) {
      select(button);
    }
  });

  // Only the range the picker shows now may land: an answer for a range left meanwhile (or for live) is dropped.
  document.addEventListener('htmx:beforeSwap', function (e) {
    const view = e.detail.target && e.detail.target.closest('[data-chart-view]');
    if (!view) {
      return;
    }
    const range = new URL(e.detail.requestConfig.path, document.baseURI).searchParams.get('range');
    if (range !== selectedRange(pickerNamed(view.dataset.chartView))) {
      e.detail.shouldSwap = false;
      return;
    }
    view.removeAttribute('aria-busy');
    // A session that ended sends the request on to the login form: that is no chart.
    const answered = new URL(e.detail.xhr.responseURL || e.detail.requestConfig.path, document.baseURI);
    if (answered.pathname !== new URL(e.detail.requestConfig.path, document.baseURI).pathname) {
      e.detail.shouldSwap = false;
      view.replaceChildren(note('Signed out: log in again to see the chart.'));
    } else if (e.detail.isError && !view.querySelector('.history-chart')) {
      view.replaceChildren(note('Could not load the chart (HTTP ' + e.detail.xhr.status + ').'));
    }
  });

  document.addEventListener('htmx:sendError', function (e) {
    const button = e.detail.elt && e.detail.elt.closest('[data-chart-range]');
    const picker = button && button.closest('[data-chart-picker]');
    if (picker && button.getAttribute('aria-pressed') === 'true') {
      const view = viewOf(picker);
      view.removeAttribute('aria-busy');
      view.replaceChildren(note('Could not reach the server for the chart.'));
    }
  });

  function pointsOf(svg) {
    let p = points.get(svg);
    if (!p) {
      const numbers = function (name) { return (svg.dataset[name] || '').split(' ').filter(Boolean).map(Number); };
      const texts = function (name) { return (svg.dataset[name] || '').split('|'); };
      p = { x: numbers('x'), y: numbers('y'), times: numbers('times'), avg: texts('avg'), min: texts('min'), max: texts('max'), index: -1 };
      points.set(svg, p);
    }
    return p;
  }

  function nearest(xs, x) {
    let lo = 0;
    let hi = xs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (xs[mid] < x) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo > 0 && x - xs[lo - 1] < xs[lo] - x ? lo - 1 : lo;
  }

  // 2026-11-20 03:00:04 UTC: the axes are in UTC too.
  function utc(seconds) {
    const iso = new Date(seconds * 1000).toISOString();
    return iso.slice(0, 10) + ' ' + iso.slice(11, 19) + ' UTC';
  }

  function show(svg, index) {
    const p = pointsOf(svg);
    if (p.x.length === 0) {
      return;
    }
    const i = Math.max(0, Math.min(p.x.length - 1, index));
    p.index = i;
    const crosshair = svg.querySelector('.chart-crosshair');
    const cursor = svg.querySelector('.chart-cursor');
    crosshair.setAttribute('x1', p.x[i]);
    crosshair.setAttribute('x2', p.x[i]);
    crosshair.setAttribute('visibility', 'visible');
    cursor.setAttribute('cx', p.x[i]);
    cursor.setAttribute('cy', p.y[i]);
    cursor.setAttribute('visibility', 'visible');

    const figure = svg.closest('.chart');
    const readout = figure.querySelector('.chart-readout');
    readout.textContent = utc(p.times[i]) + ' · ' + p.avg[i] + ' (min ' + p.min[i] + ', max ' + p.max[i] + ')';
    readout.hidden = false;
    // Beside the crosshair, inside the figure (set through the CSSOM, which the CSP allows).
    const at = new DOMPoint(p.x[i], 0).matrixTransform(svg.getScreenCTM());
    const left = at.x - figure.getBoundingClientRect().left - readout.offsetWidth / 2;
    readout.style.left = Math.max(0, Math.min(figure.clientWidth - readout.offsetWidth, left)) + 'px';
  }

  function hide(svg) {
    pointsOf(svg).index = -1;
    svg.querySelector('.chart-crosshair').setAttribute('visibility', 'hidden');
    svg.querySelector('.chart-cursor').setAttribute('visibility', 'hidden');
    svg.closest('.chart').querySelector('.chart-readout').hidden = true;
  }

  document.addEventListener('pointermove', function (e) {
    const svg = e.target.closest && e.target.closest('.chart-svg');
    if (!svg || pointsOf(svg).x.length === 0) {
      return;
    }
    const at = new DOMPoint(e.clientX, e.clientY).matrixTransform(svg.getScreenCTM().inverse());
    show(svg, nearest(pointsOf(svg).x, at.x));
  });

  // pointerleave does not bubble: caught on its way down instead.
  document.addEventListener('pointerleave', function (e) {
    if (e.target.classList && e.target.classList.contains('chart-svg') && e.target !== document.activeElement) {
      hide(e.target);
    }
  }, true);

  document.addEventListener('focusin', function (e) {
    if (e.target.classList && e.target.classList.contains('chart-svg')) {
      show(e.target, pointsOf(e.target).x.length - 1);
    }
  });

  document.addEventListener('focusout', function (e) {
    if (e.target.classList && e.target.classList.contains('chart-svg')) {
      hide(e.target);
    }
  });

  document.addEventListener('keydown', function (e) {
    const svg = e.target.classList && e.target.classList.contains('chart-svg') ? e.target : null;
    if (!svg) {
      return;
    }
    const p = pointsOf(svg);
    const moves = { ArrowLeft: p.index - 1, ArrowRight: p.index + 1, Home: 0, End: p.x.length - 1 };
    if (e.key in moves) {
      e.preventDefault();
      show(svg, moves[e.key]);
    }
  });
})();
