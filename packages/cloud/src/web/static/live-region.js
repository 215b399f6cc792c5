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

    // The parsed page is kept apart: once moved into this page, `fresh` belongs to this document.
    const freshDocument = new DOMParser().parseFromString(await response.text(), 'text/html');
    const fresh = freshDocument.getElementById('live');
    if (!fresh) return showState('live updates stopped: reload the page', 'stopped');
    if (fresh.innerHTML !== region.innerHTML) {
      region.replaceWith(fresh);
      region = fresh;
    }
    replaceActionsOnStateChange(freshDocument);
    if (interval() > 0) showState('live', 'connected');
    schedule();
  }

  // The forms sit outside the region, so a refresh keeps typed values. They are replaced only
  // when the session's state changed, for example when a run passed and Complete appears.
  function replaceActionsOnStateChange(freshDocument) {
    const actions = document.getElementById('actions');
    const freshActions = freshDocument.getElementById('actions');
    if (!actions || !freshActions || actions.dataset.status === freshActions.dataset.status) return;
    actions.replaceWith(document.importNode(freshActions, true));
  }

  function schedule() {
    const wait = interval();
    if (wait > 0) setTimeout(refresh, wait);
  }

  // A rejected form comes back with its message above the forms, far below the top on a phone.
  document.getElementById('action-error')?.scrollIntoView({ block: 'center' });

  if (interval() > 0) {
    showState('live', 'connected');
    schedule();
  }
})();
