// SseDashboard in the browser, the fleet grid: a card per host, filled by the stream's out-of-band swaps (each host's
// cpu and memory fragment goes to the element whose data-slot is "topic:host"). Here: the name filter, sorting by
// name, cpu or memory, each card's status and last seen from its newest sample (online, stale after 3 missed
// intervals, offline after 60 s: as GET /api/hosts says), and a card for a host that appears while the page is open.
(function () {
  'use strict';

  function initGrid(grid) {
    const cards = grid.querySelector('[data-fleet-cards]');
    const template = grid.querySelector('[data-fleet-card-template]');
    const filter = grid.querySelector('[data-fleet-filter]');
    const sort = grid.querySelector('[data-fleet-sort]');
    const count = grid.querySelector('[data-fleet-count]');
    const staleIntervals = Number(grid.dataset.staleIntervals) || 3;
    const offlineMs = Number(grid.dataset.offlineMs) || 60000;
    // The server's clock as the page was made, against this browser's: ages are the server's view, as in /api/hosts.
    const skew = Date.parse(grid.dataset.now) - Date.now();
    let sortQueued = false;

    function all() {
      return Array.from(cards.querySelectorAll('.host-card'));
    }

    // A card's figure for sorting: the machine's cpu %, or memory % used (a card with none yet sorts last).
    function figure(card, topic) {
      const value = card.querySelector('[data-slot-topic="' + topic + '"] .metric-value[data-value]');
      return value ? Number(value.dataset.value) : -1;
    }

    function arrange() {
      sortQueued = false;
      const key = sort.value;
      const sorted = all().sort(function (a, b) {
        if (key !== 'name') {
          const difference = figure(b, key) - figure(a, key);
          if (difference !== 0) {
            return difference;
          }
        }
        return a.dataset.host.localeCompare(b.dataset.host);
      });
      // Only when the order changed: moving a card would restart what the reader is looking at.
      if (sorted.some(function (card, i) { return cards.children[i] !== card; })) {
        cards.append.apply(cards, sorted);
      }
    }

    function queueArrange() {
      if (!sortQueued) {
        sortQueued = true;
        requestAnimationFrame(arrange);
      }
    }

    function applyFilter() {
      const text = filter.value.trim().toLowerCase();
      let shown = 0;
      all().forEach(function (card) {
        card.hidden = text.length > 0 && card.dataset.host.toLowerCase().indexOf(text) < 0;
        shown += card.hidden ? 0 : 1;
      });
      const total = all().length;
      count.textContent = shown === total ? total + (total === 1 ? ' host' : ' hosts') : shown + ' of ' + total + ' hosts';
    }

    // The newest sample the card shows says when the host was last heard from.
    function seen(card) {
      card.querySelectorAll('.sampled-at[datetime]').forEach(function (time) {
        const at = Date.parse(time.getAttribute('datetime'));
        if (at > Date.parse(card.dataset.lastSeen || '')) {
          card.dataset.lastSeen = time.getAttribute('datetime');
        }
      });
    }

    function showStatus(card) {
      const lastSeen = Date.parse(card.dataset.lastSeen || '');
      const age = Date.now() + skew - lastSeen;
      const interval = Number(card.dataset.intervalMs) || 1000;
      const status = isNaN(age) ? 'offline' : age <= interval * staleIntervals ? 'online' : age <= offlineMs ? 'stale' : 'offline';
      if (card.dataset.status !== status) {
        card.dataset.status = status;
        card.querySelector('[data-host-status]').textContent = status;
      }
      const time = card.querySelector('[data-host-seen]');
      if (!isNaN(lastSeen) && time.getAttribute('datetime') !== card.dataset.lastSeen) {
        time.setAttribute('datetime', card.dataset.lastSeen);
        time.textContent = new Date(lastSeen).toISOString().slice(11, 19) + ' UTC';
      }
    }

    // A host that was not there when the page was made: its first fragment has no slot to go to, so it gets a card.
    document.body.addEventListener('htmx:oobErrorNoTarget', function (e) {
      const content = e.detail && e.detail.content;
      const slotName = content && content.dataset ? content.dataset.for : null;
      if (!slotName || slotName.indexOf(':') < 0) {
        return;
      }
      const host = slotName.slice(slotName.indexOf(':') + 1);
      let card = cards.querySelector('.host-card[data-host="' + CSS.escape(host) + '"]');
      if (!card) {
        card = template.content.firstElementChild.cloneNode(true);
        card.dataset.host = host;
        card.dataset.lastSeen = '';
        const link = card.querySelector('[data-host-link]');
        link.textContent = host;
        link.setAttribute('href', link.getAttribute('href') + encodeURIComponent(host));
        card.querySelectorAll('[data-slot-topic]').forEach(function (slot) {
          slot.dataset.slot = slot.dataset.slotTopic + ':' + host;
        });
        cards.append(card);
        applyFilter();
      }
      const slot = card.querySelector('[data-slot="' + CSS.escape(slotName) + '"]');
      if (slot) {
        slot.replaceChildren.apply(slot, Array.from(content.childNodes));
      }
    });

    new MutationObserver(function (records) {
      records.forEach(function (record) {
        const card = record.target.closest && record.target.closest('.host-card');
        if (card) {
          seen(card);
          showStatus(card);
        }
      });
      if (sort.value !== 'name') {
        queueArrange();
      }
    }).observe(cards, { childList: true, subtree: true });

    filter.addEventListener('input', applyFilter);
    sort.addEventListener('change', arrange);
    setInterval(function () { all().forEach(showStatus); }, 1000);
    all().forEach(function (card) { seen(card); showStatus(card); });
    applyFilter();
    arrange();
  }

  document.addEventListener('DOMContentLoaded', function () {
    document.querySelectorAll('[data-fleet-grid]').forEach(initGrid);
  });
})();
