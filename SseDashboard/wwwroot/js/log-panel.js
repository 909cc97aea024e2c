// SseDashboard in the browser, the log panels: autoscroll, pause, level and text/regex filters with highlight, a cap
// on lines kept, and resets. Loaded as a file: works under script-src 'self'. Log text is only ever read and written
// as text, never as HTML.
(function () {
  'use strict';

  const levels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

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
    const state = {
      max: Math.max(1, Number(lines.dataset.maxLines) || 1000),
      trimmed: 0,
      unseen: 0,
      paused: false,
      pausedByScroll: false,
      minLevel: -1,
      pattern: null,
    };

    function rank(level) {
      return levels.indexOf((level || '').toLowerCase());
    }

    function escapeRegExp(text) {
      return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    }

    function readFilters() {
      state.minLevel = levelSelect && levelSelect.value ? rank(levelSelect.value) : -1;
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

    // Rebuilds the line from its own text: plain text nodes, and <mark> elements whose text is set as text.
    function highlight(line, text) {
      if (!state.pattern) {
        if (line.querySelector('mark')) {
          line.replaceChildren(text);
        }
        return;
      }
      const parts = [];
      let last = 0;
      state.pattern.lastIndex = 0;
      let match;
      while ((match = state.pattern.exec(text)) !== null) {
        if (match[0].length === 0) {
          state.pattern.lastIndex++;
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
      let shown = state.minLevel < 0 || rank(line.dataset.entryLevel) >= state.minLevel;
      if (shown && state.pattern) {
        shown = text.search(state.pattern) >= 0;
      }
      line.hidden = !shown;
      if (shown) {
        highlight(line, text);
      } else if (line.querySelector('mark')) {
        line.replaceChildren(text);
      }
      return shown;
    }

    function updateNotes() {
      trimmedNote.hidden = state.trimmed === 0;
      trimmedNote.textContent = state.trimmed + (state.trimmed === 1 ? ' older line trimmed' : ' older lines trimmed');
      newButton.hidden = !state.paused || state.unseen === 0;
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
      updateNotes();
      scrollToEnd();
    }

    // Handles what was appended: a reset clears everything before it; lines are filtered; the oldest go past the cap.
    function accept(nodes) {
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

      while (lines.childElementCount > state.max) {
        const oldest = lines.firstElementChild;
        if (oldest.classList.contains('log-line')) {
          state.trimmed++;
        }
        oldest.remove();
      }

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

    new MutationObserver(function (records) {
      const added = [];
      records.forEach(function (r) { r.addedNodes.forEach(function (n) { added.push(n); }); });
      if (added.length > 0) {
        accept(added);
      }
    }).observe(lines, { childList: true });

    lines.addEventListener('scroll', function () {
      const atEnd = lines.scrollHeight - lines.scrollTop - lines.clientHeight < 4;
      if (!atEnd && !state.paused) {
        pause(true);
      } else if (atEnd && state.paused && state.pausedByScroll) {
        resume();
      }
    });
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

    readFilters();
    accept(Array.from(lines.childNodes));
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
