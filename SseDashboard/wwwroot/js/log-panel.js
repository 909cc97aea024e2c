// SseDashboard in the browser, the log panels: autoscroll, pause, level and text/regex filters with highlight, a cap
// on lines kept, and resets; with a history store, earlier lines loaded when scrolled to the top, and a search of the
// stored lines shown in place of the live ones. Loaded as a file: works under script-src 'self'. Log text is only
// ever read and written as text; HTML comes from the server only, rendered by the log panel itself.
(function () {
  'use strict';

  const levels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
  // Lines asked for at a time: earlier ones when scrolled to the top, search results per page.
  const historyPage = 200;
  const resultsPage = 50;
  const contextLines = 3;

  function escapeRegExp(text) {
    return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }

  // Rebuilds the line from its own text: plain text nodes, and <mark> elements whose text is set as text.
  function highlight(line, text, pattern) {
    if (!pattern) {
      if (line.querySelector('mark')) {
        line.replaceChildren(text);
      }
      return;
    }
    const parts = [];
    let last = 0;
    pattern.lastIndex = 0;
    let match;
    while ((match = pattern.exec(text)) !== null) {
      if (match[0].length === 0) {
        pattern.lastIndex++;
        continue;
      }
      if (match.index > last) {
        parts.push(text.slice(last, match.index));
      }
      const mark = document.createElement('mark');
      mark.textContent = match[0];
      parts.push(mark);
      last = match.index + match[0].length;
    }
    if (last < text.length) {
      parts.push(text.slice(last));
    }
    line.replaceChildren.apply(line, parts);
  }

  function isEntry(el) {
    return el.classList.contains('log-line') || el.classList.contains('log-marker');
  }

  // Stored lines as the log panel renders them (/api/logs?format=html: oldest first, each with its data-id), and the
  // before= of the page after them. Only the panel's own elements are kept: a login page (after a redirect) is not.
  function fetchEntries(url) {
    return fetch(url, { headers: { Accept: 'text/html' }, cache: 'no-store' }).then(function (response) {
      if (response.redirected || !response.ok) {
        throw new Error(response.redirected ? 'signed out' : 'HTTP ' + response.status);
      }
      return response.text().then(function (html) {
        const template = document.createElement('template');
        template.innerHTML = html;
        return { entries: Array.from(template.content.children).filter(isEntry), next: response.headers.get('X-Next-Before') };
      });
    });
  }

  function note(text) {
    const p = document.createElement('p');
    p.className = 'log-note';
    p.textContent = text;
    return p;
  }

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

    function rank(level) {
      return levels.indexOf((level || '').toLowerCase());
    }

    function readFilters() {
      state.minLevel = levelSelect && levelSelect.value ? rank(levelSelect.value) : -1;
      state.host = hostSelect ? hostSelect.value : '';
      state.pattern = null;
      filterError.hidden = true;
      const text = filterInput ? filterInput.value : '';
      if (text.length === 0) {
        return;
      }
      try {
        state.pattern = new RegExp(regexBox && regexBox.checked ? text : escapeRegExp(text), 'gi');
      } catch (err) {
        filterError.textContent = 'Not a valid regular expression: ' + err.message;
        filterError.hidden = false;
      }
    }

    // A line with no level of its own (a stack trace, the rest of a multi-line entry) belongs to the entry of the
    // line right before it from the same file, so a level filter keeps an error together with its stack trace.
    function entryLevel(line) {
      if (line.dataset.level) {
        return line.dataset.level;
      }
      const previous = line.previousElementSibling;
      return previous && previous.classList.contains('log-line') && previous.dataset.file === line.dataset.file
        ? previous.dataset.entryLevel || ''
        : '';
    }

    // Shows or hides one line by the filters; returns whether it is shown.
    function apply(line) {
      const text = line.textContent;
      let shown = (state.minLevel < 0 || rank(line.dataset.entryLevel) >= state.minLevel)
        && (!state.host || line.dataset.host === state.host);
      if (shown && state.pattern) {
        shown = text.search(state.pattern) >= 0;
      }
      line.hidden = !shown;
      if (shown) {
        highlight(line, text, state.pattern);
      } else if (line.querySelector('mark')) {
        line.replaceChildren(text);
      }
      return shown;
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

    // Live fragments are rendered before their event has an id: the message's id is its last line's, and each line
    // before it in the batch one less (a marker takes one id). Numbered, the oldest line says where history goes on.
    function numberMessage(lastEventId) {
      const before = state.beforeMessage;
      state.beforeMessage = undefined;
      if (!/^[0-9]+$/.test(lastEventId || '')) {
        return;
      }
      let id = Number(lastEventId);
      const hosts = new Set();
      for (let node = lines.lastElementChild; node && node !== before; node = node.previousElementSibling) {
        if (isEntry(node) && !node.dataset.id && !node.dataset.live) {
          node.dataset.id = String(id--);
          hosts.add(node.dataset.host);
        }
      }
      // A host's lines numbered: the store has them, so the ones it showed live (data-live: a fleet node's own, while
      // its store failed) come again, numbered, in order with every other host's.
      if (hosts.size > 0) {
        lines.querySelectorAll('[data-live]').forEach(function (node) {
          if (hosts.has(node.dataset.host)) {
            node.remove();
          }
        });
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
      numberMessage(e.detail && e.detail.lastEventId);
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

  // The search box: stored lines matching every word (each as a word prefix) in the chosen range, newest first, in
  // place of the live lines (which go on arriving, and come back with Back to live); each with its context on demand.
  function initSearch(panel, lines, state, updateNotes, scrollToEnd) {
    const find = function (selector) { return panel.querySelector(selector); };
    const form = find('[data-log-search-form]');
    const input = find('[data-log-search]');
    const range = find('[data-log-search-range]');
    const results = find('[data-log-results]');
    const list = find('[data-log-results-list]');
    const summary = find('[data-log-results-summary]');
    const more = document.createElement('button');
    more.type = 'button';
    more.className = 'log-more';
    more.textContent = 'More results';
    const historyUrl = lines.dataset.history;

    function url(params) {
      const query = new URLSearchParams(params);
      query.set('format', 'html');
      return historyUrl + '?' + query.toString();
    }

    function describe(search) {
      const count = search.count + (search.next ? '+' : '');
      const found = search.count === 0
        ? 'No results'
        : count + (search.count === 1 && !search.next ? ' result' : ' results');
      return found + ' for “' + search.q + '” ' + search.where;
    }

    function start() {
      const q = input.value.trim();
      if (q.length === 0) {
        return;
      }
      const option = range.selectedOptions[0];
      const seconds = Number(option.dataset.seconds || 0);
      const words = q.split(/\s+/).map(escapeRegExp);
      state.search = {
        q: q,
        where: seconds ? 'in the ' + option.textContent : 'in all stored lines',
        from: seconds ? new Date(Date.now() - seconds * 1000).toISOString() : null,
        // As the store matches: every word at the start of a word, any case.
        pattern: new RegExp('(?<![\\p{L}\\p{N}])(?:' + words.join('|') + ')', 'giu'),
        next: null,
        count: 0,
      };
      list.replaceChildren();
      summary.textContent = 'Searching for “' + q + '” ' + state.search.where + '…';
      lines.hidden = true;
      results.hidden = false;
      updateNotes();
      loadResults();
    }

    function loadResults() {
      const search = state.search;
      const params = { q: search.q, limit: String(resultsPage) };
      if (search.from) {
        params.from = search.from;
      }
      if (search.next) {
        params.before = search.next;
      }
      more.disabled = true;
      fetchEntries(url(params)).then(function (page) {
        if (state.search !== search) {
          return;
        }
        page.entries.filter(function (e) { return e.classList.contains('log-line'); }).reverse().forEach(function (line) {
          list.appendChild(result(line, search));
          search.count++;
        });
        search.next = page.next;
        more.disabled = false;
        more.hidden = search.next === null;
        list.appendChild(more);
        summary.textContent = describe(search);
      }, function (err) {
        if (state.search === search) {
          more.disabled = false;
          summary.textContent = 'Search failed (' + err.message + ')';
        }
      });
    }

    function result(line, search) {
      const item = document.createElement('div');
      item.className = 'log-result';
      item.dataset.id = line.dataset.id;
      const head = document.createElement('div');
      head.className = 'log-result-head';
      if (line.dataset.at) {
        const time = document.createElement('time');
        time.dateTime = line.dataset.at;
        time.textContent = line.dataset.at.slice(0, 10) + ' ' + line.dataset.at.slice(11, 19) + ' UTC';
        head.appendChild(time);
      }
      if (line.dataset.file) {
        const file = document.createElement('span');
        file.className = 'log-result-file';
        file.title = line.dataset.file;
        file.textContent = line.dataset.file.split('/').pop();
        head.appendChild(file);
      }
      const toggle = document.createElement('button');
      toggle.type = 'button';
      toggle.className = 'log-context-toggle';
      toggle.textContent = 'context';
      toggle.setAttribute('aria-expanded', 'false');
      head.appendChild(toggle);
      const before = document.createElement('div');
      before.className = 'log-context log-context-before';
      before.hidden = true;
      const after = document.createElement('div');
      after.className = 'log-context log-context-after';
      after.hidden = true;
      line.classList.add('log-result-match');
      highlight(line, line.textContent, search.pattern);
      item.append(head, before, line, after);
      toggle.addEventListener('click', function () { toggleContext(item, line, toggle, before, after); });
      return item;
    }

    // The lines right before and after a result, from the same file.
    function toggleContext(item, line, toggle, before, after) {
      const open = toggle.getAttribute('aria-expanded') !== 'true';
      toggle.setAttribute('aria-expanded', String(open));
      before.hidden = !open;
      after.hidden = !open;
      if (!open || item.dataset.context) {
        return;
      }
      item.dataset.context = 'loading';
      const file = line.dataset.file ? { file: line.dataset.file } : {};
      Promise.all([
        fetchEntries(url(Object.assign({ before: item.dataset.id, limit: String(contextLines) }, file))),
        fetchEntries(url(Object.assign({ after: item.dataset.id, limit: String(contextLines) }, file))),
      ]).then(function (pages) {
        before.replaceChildren.apply(before, pages[0].entries);
        after.replaceChildren.apply(after, pages[1].entries);
        item.dataset.context = 'loaded';
      }, function (err) {
        delete item.dataset.context;
        before.replaceChildren(note('Could not load the context (' + err.message + ')'));
      });
    }

    function backToLive() {
      state.search = null;
      results.hidden = true;
      list.replaceChildren();
      lines.hidden = false;
      updateNotes();
      if (!state.paused) {
        scrollToEnd();
      }
    }

    form.addEventListener('submit', function (e) {
      e.preventDefault();
      start();
    });
    input.addEventListener('keydown', function (e) {
      if (e.key === 'Escape' && state.search !== null) {
        backToLive();
      }
    });
    more.addEventListener('click', loadResults);
    find('[data-log-live]').addEventListener('click', backToLive);
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
