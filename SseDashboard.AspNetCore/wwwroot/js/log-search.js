// SseDashboard in the browser, the log panel's search of the stored lines: results in place of the live lines, paged,
// each with its context on demand. Loaded after log-common.js, before log-panel.js, which starts it for each panel.
(function () {
  'use strict';

  const log = window.SseLog;
  const resultsPage = log.resultsPage;
  const contextLines = log.contextLines;
  const escapeRegExp = log.escapeRegExp;
  const highlight = log.highlight;
  const fetchEntries = log.fetchEntries;
  const note = log.note;

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
      const message = log.messageOf(line);
      highlight(message, message.textContent, search.pattern);
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

  log.initSearch = initSearch;
})();
