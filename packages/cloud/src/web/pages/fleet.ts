import { html } from 'hono/html';
import type { Principal } from '../../access/principal.ts';
import { formatSignal, timeTag, utcTime } from '../format.ts';
import type { Html } from '../layout.ts';
import type { FleetCounts, FleetRow } from '../queries.ts';

/** Cameras shown on one fleet page; a search narrows larger fleets. */
export const FLEET_PAGE_SIZE = 500;

/** A camera as the live script receives it; the field names match the API's device JSON. */
export interface FleetCameraJson {
  id: string;
  status: FleetRow['status'];
  last_seen_at: string | null;
  firmware_version: string | null;
  signal_dbm: number | null;
  last_error: { code: string; message: string; at: string } | null;
}

/** Payload of the fleet event stream's `fleet` event, sent on every change. */
export interface FleetSnapshotJson {
  counts: FleetCounts;
  cameras: FleetCameraJson[];
}

export function toFleetSnapshotJson(rows: FleetRow[], counts: FleetCounts): FleetSnapshotJson {
  return {
    counts,
    cameras: rows.map((row) => ({
      id: row.id,
      status: row.status,
      last_seen_at: row.lastSeenAt?.toISOString() ?? null,
      firmware_version: row.firmwareVersion,
      signal_dbm: row.signalDbm,
      last_error: row.lastError,
    })),
  };
}

export interface FleetPageData {
  principal: Principal;
  rows: FleetRow[];
  counts: FleetCounts;
  search: string;
}

const STATUS_LABELS: Record<FleetRow['status'], string> = { online: 'online', offline: 'offline', never_seen: 'never seen' };

/** Renders the fleet page body: counts per state, a search form and one row per camera. */
export function fleetBody(data: FleetPageData): Html {
  const total = data.counts.online + data.counts.offline + data.counts.never_seen;
  const showOrganization = data.principal.memberships.size !== 1;
  const streamUrl = `/ui/fleet/events${data.search ? `?q=${encodeURIComponent(data.search)}` : ''}`;

  return html`<section id="fleet-live" data-stream-url="${streamUrl}">
<div class="title-row"><h1>Fleet</h1><span id="live-state" class="live-state" role="status" hidden></span></div>
<p class="counts" id="fleet-counts">
${(['online', 'offline', 'never_seen'] as const).map(
    (status) => html`<span class="count ${status}"><strong data-count="${status}">${data.counts[status]}</strong> ${STATUS_LABELS[status]}</span>`,
  )}
</p>
<form class="search" role="search" method="get" action="/">
<label for="fleet-search" class="visually-hidden">Search cameras</label>
<input id="fleet-search" type="search" name="q" value="${data.search}" placeholder="Camera id or meter serial">
<button type="submit">Search</button>
</form>
${total > data.rows.length ? html`<p class="muted">Showing the first ${data.rows.length} of ${total} cameras: search to narrow the list.</p>` : ''}
<p id="fleet-changed" class="notice" hidden>Cameras were added or removed: <a href="">reload the page</a> to see them.</p>
${data.rows.length === 0 ? html`<p class="empty">${data.search ? 'No camera matches this search.' : 'No cameras are registered in your organizations yet.'}</p>` : fleetTable(data.rows, showOrganization)}
</section>`;
}

function fleetTable(rows: FleetRow[], showOrganization: boolean): Html {
  const now = new Date();
  return html`<table class="cards fleet" id="fleet">
<thead><tr><th>Camera</th>${showOrganization ? html`<th>Organization</th>` : ''}<th>Meter</th><th>Status</th><th>Last seen</th><th>Firmware</th><th>Signal</th><th>Last error</th></tr></thead>
<tbody>
${rows.map(
    (row) => html`<tr data-device-id="${row.id}">
<td data-label="Camera"><strong>${row.id}</strong>${row.revoked ? html` <span class="badge revoked">revoked</span>` : ''}</td>
${showOrganization ? html`<td data-label="Organization">${row.organizationName}</td>` : ''}
<td data-label="Meter">${row.meterSerial ? html`<a href="/ui/meters/${encodeURIComponent(row.meterSerial)}">${row.meterSerial}</a>` : html`<span class="muted">none</span>`}</td>
<td data-label="Status" data-field="status"><span class="badge ${row.status}">${STATUS_LABELS[row.status]}</span></td>
<td data-label="Last seen" data-field="last_seen_at">${timeTag(row.lastSeenAt, now)}</td>
<td data-label="Firmware" data-field="firmware_version">${row.firmwareVersion ?? '–'}</td>
<td data-label="Signal" data-field="signal_dbm">${formatSignal(row.signalDbm)}</td>
<td data-label="Last error" data-field="last_error">${lastError(row.lastError)}</td>
</tr>`,
  )}
</tbody>
</table>`;
}

function lastError(error: FleetRow['lastError']): Html {
  if (!error) return html`<span class="muted">none</span>`;
  return html`<span class="error-text"><code>${error.code}</code> ${error.message}</span> <span class="muted">(${utcTime(new Date(error.at))})</span>`;
}
