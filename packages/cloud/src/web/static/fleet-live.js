// Live part of the fleet page: follows the server-sent fleet events and updates the counts and
// each camera's row in place. The page is complete without this script; it only keeps it fresh.
(() => {
  'use strict';

  const section = document.getElementById('fleet-live');
  const liveState = document.getElementById('live-state');
  const changed = document.getElementById('fleet-changed');
  if (!section || !('EventSource' in window)) return;

  const STATUS_LABELS = { online: 'online', offline: 'offline', never_seen: 'never seen' };
  const rows = new Map();
  for (const row of section.querySelectorAll('tr[data-device-id]')) rows.set(row.dataset.deviceId, row);

  function timeAgo(iso) {
    const elapsed = Date.now() - Date.parse(iso);
    if (elapsed < 60000) return 'just now';
    if (elapsed < 3600000) return `${Math.floor(elapsed / 60000)} min ago`;
    if (elapsed < 86400000) return `${Math.floor(elapsed / 3600000)} h ago`;
    return `${Math.floor(elapsed / 86400000)} d ago`;
  }

  function utc(iso) {
    return `${iso.replace('T', ' ').slice(0, 19)} UTC`;
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function fill(cell, ...children) {
    if (cell) cell.replaceChildren(...children);
  }

  function lastSeen(iso) {
    if (!iso) return element('span', 'muted', 'never');
    const time = element('time', '', timeAgo(iso));
    time.dateTime = iso;
    time.title = utc(iso);
    return time;
  }

  function lastError(error) {
    if (!error) return [element('span', 'muted', 'none')];
    const text = element('span', 'error-text');
    text.append(element('code', '', error.code), ` ${error.message}`);
    return [text, ' ', element('span', 'muted', `(${utc(error.at)})`)];
  }

  function update(row, camera) {
    const cell = (field) => row.querySelector(`[data-field="${field}"]`);
    fill(cell('status'), element('span', `badge ${camera.status}`, STATUS_LABELS[camera.status] || camera.status));
    fill(cell('last_seen_at'), lastSeen(camera.last_seen_at));
    fill(cell('firmware_version'), camera.firmware_version || '–');
    fill(cell('signal_dbm'), camera.signal_dbm === null ? '–' : `${Math.round(camera.signal_dbm)} dBm`);
    fill(cell('last_error'), ...lastError(camera.last_error));
  }

  function apply(snapshot) {
    for (const [status, count] of Object.entries(snapshot.counts)) {
      const target = section.querySelector(`[data-count="${status}"]`);
      if (target) target.textContent = String(count);
    }

    let unknown = snapshot.cameras.length !== rows.size;
    for (const camera of snapshot.cameras) {
      const row = rows.get(camera.id);
      if (row) update(row, camera);
      else unknown = true;
    }
    if (changed) changed.hidden = !unknown;
  }

  function showState(text, className) {
    if (!liveState) return;
    liveState.hidden = false;
    liveState.textContent = text;
    liveState.className = `live-state ${className}`;
  }

  const source = new EventSource(section.dataset.streamUrl);
  source.addEventListener('open', () => showState('live', 'connected'));
  source.addEventListener('fleet', (event) => apply(JSON.parse(event.data)));
  source.addEventListener('error', () => {
    // The browser reconnects by itself unless the server refused the stream (signed out).
    if (source.readyState === EventSource.CLOSED) showState('live updates stopped: reload the page', 'stopped');
    else showState('reconnecting…', 'stopped');
  });

  // Relative times age while the page stays open.
  setInterval(() => {
    for (const time of section.querySelectorAll('time[datetime]')) time.textContent = timeAgo(time.dateTime);
  }, 30000);
})();
