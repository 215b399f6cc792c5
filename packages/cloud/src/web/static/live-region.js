// Keeps the page's `#live` region current without a reload: while the region carries
// `data-refresh-ms`, the page is fetched again and the region replaced by the server's new
// rendering. The region stops refreshing once the server leaves the attribute empty (a closed
// installation session). Without script, a <noscript> refresh reloads the whole page instead.
(() => {
  'use strict';

  let region = document.getElementById('live');
  if (!region) return;

  function showState(text, className) {
    const state = document.getElementById('live-state');
    if (!state) return;
    state.hidden = false;
    state.textContent = text;
    state.className = `live-state ${className}`;
  }

  function interval() {
    const value = Number(region.dataset.refreshMs);
    return Number.isFinite(value) && value > 0 ? value : 0;
  }

  async function refresh() {
    let response;
    try {
      response = await fetch(window.location.href, { headers: { accept: 'text/html' }, cache: 'no-store', credentials: 'same-origin' });
    } catch {
      showState('reconnecting…', 'stopped');
      return schedule();
    }

    // A redirect means the session ended (sign-in page); an error status means the page is gone.
    if (response.redirected || !response.ok) return showState('live updates stopped: reload the page', 'stopped');

    const fresh = new DOMParser().parseFromString(await response.text(), 'text/html').getElementById('live');
    if (!fresh) return showState('live updates stopped: reload the page', 'stopped');
    if (fresh.innerHTML !== region.innerHTML) {
      region.replaceWith(fresh);
      region = fresh;
    }
    if (interval() > 0) showState('live', 'connected');
    schedule();
  }

  function schedule() {
    const wait = interval();
    if (wait > 0) setTimeout(refresh, wait);
  }

  if (interval() > 0) {
    showState('live', 'connected');
    schedule();
  }
})();
