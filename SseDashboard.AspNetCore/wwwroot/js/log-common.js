// SseDashboard in the browser, what the log panel and its search share: the levels, how many lines to ask for, the
// filters and the highlight of their matches, numbering live lines, and stored lines fetched as the panel renders
// them. Loaded before both.
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
  // Marks what the pattern matches in the element's text, keeping the element's own children (a coloured run, a cut
  // mark): each text node is marked on its own, after an earlier pass's marks are undone. Text only, never markup.
  function highlight(el, text, pattern) {
    el.querySelectorAll('mark').forEach(function (mark) { mark.replaceWith(mark.textContent); });
    el.normalize();
    if (!pattern) {
      return;
    }
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    const nodes = [];
    while (walker.nextNode()) {
      nodes.push(walker.currentNode);
    }
    nodes.forEach(function (node) {
      const value = node.nodeValue;
      const parts = [];
      let last = 0;
      let match;
      pattern.lastIndex = 0;
      while ((match = pattern.exec(value)) !== null) {
        if (match[0].length === 0) {
          pattern.lastIndex++;
          continue;
        }
        parts.push(value.slice(last, match.index));
        const mark = document.createElement('mark');
        mark.textContent = match[0];
        parts.push(mark);
        last = match.index + match[0].length;
      }
      if (parts.length > 0) {
        parts.push(value.slice(last));
        node.replaceWith.apply(node, parts.filter(function (part) { return part !== ''; }));
      }
    });
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

  function rank(level) {
    return levels.indexOf((level || '').toLowerCase());
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

  // What the filter reads and the highlight marks: a structured entry's message (not its category or folded
  // exception), else the whole line.
  function messageOf(line) {
    return line.querySelector(':scope > .log-text') || line;
  }

  // What the text filter reads: a structured entry's message, its fields (key=value) and its exception; a plain line's
  // text, and every line of an entry of several.
  function searchedText(line, target, text) {
    if (target === line) {
      return text;
    }
    const parts = [text];
    line.querySelectorAll(':scope > .log-fields > .log-field, :scope > .log-exception > pre, :scope > .log-rest > pre').forEach(function (el) {
      parts.push(el.textContent);
    });
    return parts.join('\n');
  }

  // The text filter: level:name and key=value terms filter by the entry's level and fields, the words left (or a
  // regular expression, all of it) by its text; error says why a regular expression is not one.
  function parseFilter(value, regex) {
    const filter = { level: null, fields: [], pattern: null, error: null };
    const words = [];
    value.split(regex ? /$^/ : /\s+/).filter(Boolean).forEach(function (word) {
      const level = regex ? null : /^level:(\w+)$/i.exec(word);
      const field = regex ? null : /^([^=\s]+)=(.*)$/.exec(word);
      if (level && rank(level[1]) >= 0) {
        filter.level = level[1].toLowerCase();
      } else if (field) {
        filter.fields.push({ key: field[1], value: field[2] });
      } else {
        words.push(word);
      }
    });
    const text = words.join(' ');
    try {
      filter.pattern = text.length === 0 ? null : new RegExp(regex ? text : escapeRegExp(text), 'gi');
    } catch (err) {
      filter.error = 'Not a valid regular expression: ' + err.message;
    }
    return filter;
  }

  // Whether a line has every key=value term: as one of its fields (a chip, exactly), or in its text (a plain
  // key=value line, as logfmt writes it).
  function hasFields(line, fields, text) {
    const lower = text.toLowerCase();
    return fields.every(function (term) {
      const pair = term.key + '=' + term.value;
      return lower.includes(pair.toLowerCase())
        || Array.prototype.some.call(line.querySelectorAll(':scope > .log-fields > .log-field'), function (chip) {
          return chip.dataset.key === term.key && chip.textContent === pair;
        });
    });
  }

  // Shows or hides one line by the filters in state (minLevel, level, fields, host, pattern); returns whether it is shown.
  function applyFilters(line, state) {
    const target = messageOf(line);
    const text = target.textContent;
    let shown = (state.minLevel < 0 || rank(line.dataset.entryLevel) >= state.minLevel)
      && (!state.level || rank(line.dataset.entryLevel) === rank(state.level))
      && (!state.fields || state.fields.length === 0 || hasFields(line, state.fields, text))
      && (!state.host || line.dataset.host === state.host);
    if (shown && state.pattern) {
      shown = searchedText(line, target, text).search(state.pattern) >= 0;
    }
    line.hidden = !shown;
    highlight(target, text, shown ? state.pattern : null);
    return shown;
  }

  // Live fragments are rendered before their event has an id: the message's id is its last line's, and each line
  // before it in the batch one less (a marker takes one id). Numbered, the oldest line says where history goes on.
  function numberMessage(lines, state, lastEventId) {
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

  window.SseLog = {
    levels: levels,
    historyPage: historyPage,
    resultsPage: resultsPage,
    contextLines: contextLines,
    escapeRegExp: escapeRegExp,
    highlight: highlight,
    isEntry: isEntry,
    fetchEntries: fetchEntries,
    note: note,
    rank: rank,
    entryLevel: entryLevel,
    applyFilters: applyFilters,
    numberMessage: numberMessage,
    messageOf: messageOf,
    parseFilter: parseFilter,
  };
})();
