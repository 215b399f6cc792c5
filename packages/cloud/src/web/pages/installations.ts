import { html } from 'hono/html';
import { STAGE_NAMES } from '../../installations/types.ts';
import { timeTag } from '../format.ts';
import type { Html } from '../layout.ts';
import type { InstallationListRow } from '../queries.ts';
import { installationUrl, OPEN_REFRESH_MS, STAGE_LABELS } from './installation.ts';

/** Sessions listed per group. */
export const INSTALLATIONS_PAGE_SIZE = 100;
/** Recently closed sessions shown below the open ones. */
export const RECENT_CLOSED = 10;

export interface InstallationsPageData {
  open: InstallationListRow[];
  closed: InstallationListRow[];
  showOrganization: boolean;
}

/** Open installation sessions with the state of their four stages, then the latest closed ones. */
export function installationsBody(data: InstallationsPageData): Html {
  return html`<section id="live" data-refresh-ms="${OPEN_REFRESH_MS}">
<div class="title-row"><h1>Installations</h1><span id="live-state" class="live-state" role="status" hidden></span></div>
<h2>Open sessions</h2>
${data.open.length === 0 ? html`<p class="empty">No installation is in progress.</p>` : sessionList(data.open, data.showOrganization)}
${data.closed.length > 0 ? html`<h2>Recently closed</h2>${sessionList(data.closed, data.showOrganization)}` : ''}
</section>`;
}

function sessionList(rows: InstallationListRow[], showOrganization: boolean): Html {
  return html`<ul class="sessions">
${rows.map(
    (row) => html`<li class="card" data-installation-id="${row.id}"><a href="${installationUrl(row.id)}">
<strong>${row.meterSerial}</strong> · camera ${row.deviceId}${showOrganization ? html` <span class="muted">· ${row.organizationName}</span>` : ''}
<span class="badge ${row.status}">${row.status.replaceAll('_', ' ')}</span>
<span class="muted">updated ${timeTag(row.updatedAt)}</span>
<span class="stage-strip">${STAGE_NAMES.map((name) => {
      const status = row.validation?.stages.find((stage) => stage.name === name)?.status ?? 'pending';
      return html`<span class="badge ${status}" title="${STAGE_LABELS[name]}: ${status}">${STAGE_LABELS[name]}</span>`;
    })}</span>
</a></li>`,
  )}
</ul>`;
}
