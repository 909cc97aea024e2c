// SseDashboard in the browser, the log panels: autoscroll, pause, level, host and text/regex filters, a cap on lines
// kept, resets, and earlier lines from the store when scrolled to the top (its search: log-search.js). Loaded after
// log-common.js and log-search.js, as files (script-src 'self'). Log text is only ever read and written as text.
(function () {
  'use strict';

  const log = window.SseLog;
  const historyPage = log.historyPage;
  const fetchEntries = log.fetchEntries;
  const initSearch = log.initSearch;

  function initLog(lines) {
    const panel = lines.closest('.panel');
    const find = function (selector) { return panel.querySelector(selector); };
    const levelSelect = find('[data-log-level]');
    const filterInput = find('[data-log-filter]');
    const regexBox = find('[data-log-regex]');
    const pauseButton = find('[data-log-pause]');
    const newButton = find('[data-log-new]');
    const trimmedNote = find('[data-log-trimmed]');
    const filterError = find('[data-log-filter-error]');
    const historyNote = find('[data-log-history]');
    const hostSelect = find('[data-log-host]');
    // /api/logs when the page may read the stored history; empty in an embed or without a store.
    const historyUrl = lines.dataset.history || '';
    const historyQuery = lines.dataset.historyQuery ? '&' + lines.dataset.historyQuery : '';
    const state = {
      max: Math.max(1, Number(lines.dataset.maxLines) || 1000),
      trimmed: 0,
      unseen: 0,
      paused: false,
      pausedByScroll: false,
      minLevel: -1,
      pattern: null,
      host: '',
      // Earlier lines loaded from the store while scrolled up: kept over the cap until the reader follows again.
      loaded: 0,
      loading: false,
      atBeginning: false,
      // The last element before an SSE message's swap: what comes after it is the message's.
      beforeMessage: undefined,
      search: null,
    };
    // Earlier lines prepended from the store: filtered as they go in, and not counted as new.
    const prepended = new WeakSet();

    const rank = log.rank;
    const entryLevel = log.entryLevel;

    // Shows or hides one line by the filters; returns whether it is shown.
    function apply(line) {
      return log.applyFilters(line, state);
    }

    function readFilters() {
      state.minLevel = levelSelect && levelSelect.value ? rank(levelSelect.value) : -1;
      state.host = hostSelect ? hostSelect.value : '';
      const filter = log.parseFilter(filterInput ? filterInput.value : '', regexBox && regexBox.checked);
      [state.level, state.fields, state.pattern] = [filter.level, filter.fields, filter.pattern];
      filterError.textContent = filter.error || '';
      filterError.hidden = !filter.error;
    }

    function updateNotes() {
      trimmedNote.hidden = state.trimmed === 0;
      trimmedNote.textContent = state.trimmed + (state.trimmed === 1 ? ' older line trimmed' : ' older lines trimmed');
      newButton.hidden = !state.paused || state.unseen === 0 || state.search !== null;
      newButton.textContent = state.unseen + (state.unseen === 1 ? ' new line' : ' new lines');
      pauseButton.textContent = state.paused ? 'Resume' : 'Pause';
      pauseButton.setAttribute('aria-pressed', String(state.paused));
      panel.classList.toggle('paused', state.paused);
    }

    function scrollToEnd() {
      lines.scrollTop = lines.scrollHeight;
    }

    function pause(byScroll) {
      state.paused = true;
      state.pausedByScroll = byScroll;
      updateNotes();
    }

    function resume() {
      state.paused = false;
      state.pausedByScroll = false;
      state.unseen = 0;
      trim();
      updateNotes();
      scrollToEnd();
    }

    // Following, the page holds state.max lines. Scrolled up or paused it holds up to as many again, so lines do not
    // vanish from under the reader, plus the earlier lines the reader loaded; following again cuts it back.
    function trim() {
      const cap = state.paused ? state.max * 2 + state.loaded : state.max;
      let removed = false;
      while (lines.childElementCount > cap) {
        const oldest = lines.firstElementChild;
        if (oldest.classList.contains('log-line')) {
          state.trimmed++;
        }
        oldest.remove();
        removed = true;
      }
      if (!state.paused) {
        state.loaded = 0;
      }
      if (removed && state.atBeginning) {
        state.atBeginning = false;
        setHistoryNote('');
      }
    }

    function setHistoryNote(text) {
      historyNote.textContent = text;
      historyNote.hidden = text.length === 0;
    }

    // Handles what was appended: a reset clears everything before it; lines are filtered; the oldest go past the cap.
    function accept(nodes) {
      nodes = nodes.filter(function (node) { return !prepended.has(node); });
      if (nodes.length === 0) {
        return;
      }
      let shown = 0;
      nodes.forEach(function (node) {
        if (!node.isConnected) {
          return;
        }
        if (node.nodeType !== Node.ELEMENT_NODE) {
          node.remove();
          return;
        }
        if (node.classList.contains('log-reset')) {
          while (node.previousSibling) {
            node.previousSibling.remove();
          }
          node.remove();
          state.trimmed = 0;
          state.unseen = 0;
          state.loaded = 0;
          state.atBeginning = false;
          setHistoryNote('');
          shown = 0;
          return;
        }
        if (node.classList.contains('log-line')) {
          node.dataset.entryLevel = entryLevel(node);
          if (apply(node)) {
            shown++;
          }
        }
      });

      trim();

      if (state.paused) {
        state.unseen += shown;
      }
      updateNotes();
      if (!state.paused) {
        scrollToEnd();
      }
    }

    function refilter() {
      readFilters();
      lines.querySelectorAll('.log-line').forEach(apply);
      if (!state.paused) {
        scrollToEnd();
      }
    }

    // Earlier lines from the store, put above the oldest shown without moving what the reader sees.
    function loadEarlier() {
      if (!historyUrl || state.loading || state.atBeginning || state.search !== null) {
        return;
      }
      const oldest = lines.querySelector('.log-line[data-id], .log-marker[data-id]');
      if (!oldest) {
        return;
      }
      state.loading = true;
      setHistoryNote('loading earlier lines…');
      fetchEntries(historyUrl + '?format=html&limit=' + historyPage + '&before=' + encodeURIComponent(oldest.dataset.id) + historyQuery).then(function (page) {
        state.loading = false;
        if (!oldest.isConnected) {
          // Trimmed or reset meanwhile: these would not join up with what is shown.
          setHistoryNote('');
          return;
        }
        prepend(page.entries);
        state.atBeginning = page.next === null;
        setHistoryNote(state.atBeginning ? 'beginning of history' : '');
      }, function (err) {
        state.loading = false;
        setHistoryNote('could not load earlier lines (' + err.message + ')');
      });
    }

    function prepend(entries) {
      if (entries.length === 0) {
        return;
      }
      const first = lines.firstElementChild;
      const height = lines.scrollHeight;
      entries.forEach(function (entry) { prepended.add(entry); });
      lines.prepend.apply(lines, entries);
      // Filtered now, before measuring; the line that was first may now continue an entry above it.
      entries.concat(first ? [first] : []).forEach(function (entry) {
        if (entry.classList.contains('log-line')) {
          entry.dataset.entryLevel = entryLevel(entry);
          apply(entry);
        }
      });
      const count = entries.filter(function (e) { return e.classList.contains('log-line'); }).length;
      state.loaded += entries.length;
      state.trimmed = Math.max(0, state.trimmed - count);
      lines.scrollTop += lines.scrollHeight - height;
      updateNotes();
    }

    new MutationObserver(function (records) {
      const added = [];
      records.forEach(function (r) { r.addedNodes.forEach(function (n) { added.push(n); }); });
      if (added.length > 0) {
        accept(added);
      }
    }).observe(lines, { childList: true });

    lines.addEventListener('htmx:sseBeforeMessage', function () {
      state.beforeMessage = lines.lastElementChild;
    });
    // The extension passes the MessageEvent itself as the detail, after the swap.
    lines.addEventListener('htmx:sseMessage', function (e) {
      log.numberMessage(lines, state, e.detail && e.detail.lastEventId);
    });

    lines.addEventListener('scroll', function () {
      if (lines.hidden) {
        return;
      }
      const atEnd = lines.scrollHeight - lines.scrollTop - lines.clientHeight < 4;
      if (!atEnd && !state.paused) {
        pause(true);
      } else if (atEnd && state.paused && state.pausedByScroll) {
        resume();
      }
      if (lines.scrollTop < 40) {
        loadEarlier();
      }
    });
    // Lines that all fit do not scroll: asking for more above them does.
    lines.addEventListener('wheel', function (e) {
      if (e.deltaY < 0 && lines.scrollTop === 0) {
        loadEarlier();
      }
    }, { passive: true });
    pauseButton.addEventListener('click', function () {
      if (state.paused) {
        resume();
      } else {
        pause(false);
      }
    });
    newButton.addEventListener('click', resume);
    levelSelect.addEventListener('change', refilter);
    filterInput.addEventListener('input', refilter);
    regexBox.addEventListener('change', refilter);
    if (hostSelect) {
      hostSelect.addEventListener('change', refilter);
    }

    readFilters();
    accept(Array.from(lines.childNodes));
    if (historyUrl) {
      initSearch(panel, lines, state, updateNotes, scrollToEnd);
    }
  }

  function init() {
    document.querySelectorAll('.log-lines').forEach(initLog);
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
