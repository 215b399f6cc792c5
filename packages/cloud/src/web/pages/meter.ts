import { html } from 'hono/html';
import type { MeterRow } from '../../assets/meters.repo.ts';
import type { ReadingRow } from '../../readings/readings.repo.ts';
import { formatConfidence, formatValue, timeTag, utcTime } from '../format.ts';
import type { Html } from '../layout.ts';
import type { MeterTreeRow } from '../queries.ts';

/** Readings per page of the meter's table. */
export const READINGS_PAGE_SIZE = 50;
/** Newest readings drawn in the chart (the API's largest page). */
export const CHART_READINGS = 500;

export interface MeterPageData {
  meter: MeterRow;
  path: MeterTreeRow | null;
  latest: ReadingRow | null;
  /** Newest first, up to `CHART_READINGS`. */
  chartReadings: ReadingRow[];
  /** One page of the table, newest first. */
  tableReadings: ReadingRow[];
  total: number;
  offset: number;
}

export function meterUrl(serialNumber: string): string {
  return `/ui/meters/${encodeURIComponent(serialNumber)}`;
}

export function readingUrl(serialNumber: string, readingId: string): string {
  return `${meterUrl(serialNumber)}/readings/${encodeURIComponent(readingId)}`;
}

/** Renders the hierarchy above a meter as links back to the searchable tree; `leaf` names a page below the meter. */
export function breadcrumb(path: MeterTreeRow | null, serialNumber: string, leaf?: string): Html {
  const levels = path ? [path.project.name, path.customer.name, path.building.name, path.place.name] : [];
  return html`<nav class="breadcrumb" aria-label="Hierarchy"><a href="/ui/meters">Meters</a>
${levels.map((name) => html` › <a href="/ui/meters?q=${encodeURIComponent(name)}">${name}</a>`)}
 › ${leaf ? html`<a href="${meterUrl(serialNumber)}">${serialNumber}</a> › ${leaf}` : html`<span>${serialNumber}</span>`}</nav>`;
}

/**
 * Renders the meter page body: latest accepted value, a chart of accepted values over time (drawn by
 * script from the `data-series` attribute) and the readings table, which carries the same data
 * when scripts are off.
 */
export function meterBody(data: MeterPageData): Html {
  const { meter } = data;
  return html`${breadcrumb(data.path, meter.serialNumber)}
<section>
<h1>${meter.name ?? meter.serialNumber}</h1>
<p class="muted">${meter.serialNumber} · ${meter.meterType} · ${meter.unit} · ${meter.status}</p>
<div class="latest-value card">
<span class="label">Latest value</span>
${data.latest ? html`<strong class="big" id="latest-value">${formatValue(data.latest.value, data.latest.unit)}</strong> <span class="muted">${timeTag(data.latest.capturedAt)}, confidence ${formatConfidence(data.latest.confidence)}</span>` : html`<strong class="big muted" id="latest-value">no accepted reading yet</strong>`}
</div>
${chart(meter, data.chartReadings)}
${readingsTable(meter, data)}
</section>`;
}

function chart(meter: MeterRow, readings: ReadingRow[]): Html {
  const accepted = readings.filter((reading) => reading.status === 'accepted' && reading.value !== null).reverse();
  if (accepted.length === 0) return html``;

  // uPlot takes columns: Unix seconds and values, oldest first.
  const series = {
    unit: meter.unit,
    t: accepted.map((reading) => reading.capturedAt.getTime() / 1000),
    v: accepted.map((reading) => reading.value),
  };
  return html`<figure class="chart card" id="meter-chart" data-series="${JSON.stringify(series)}" hidden>
<figcaption>Accepted values (${meter.unit}), last ${accepted.length} readings</figcaption>
<div class="chart-canvas"></div>
</figure>`;
}

const STATUS_HINT: Record<ReadingRow['status'], string> = {
  accepted: 'accepted',
  flagged: 'flagged: low confidence',
  rejected: 'rejected: implausible',
  failed: 'failed: unreadable',
};

function readingsTable(meter: MeterRow, data: MeterPageData): Html {
  if (data.total === 0) return html`<p class="empty">No readings for this meter yet.</p>`;

  const newer = data.offset > 0 ? Math.max(0, data.offset - READINGS_PAGE_SIZE) : null;
  const older = data.offset + READINGS_PAGE_SIZE < data.total ? data.offset + READINGS_PAGE_SIZE : null;
  const first = data.offset + 1;
  const last = data.offset + data.tableReadings.length;
  return html`<h2>Readings</h2>
<p class="muted">${first}–${last} of ${data.total}, newest first</p>
<table class="compact readings" id="readings">
<thead><tr><th>Captured</th><th>Value</th><th>Confidence</th><th><span class="visually-hidden">Evidence</span></th></tr></thead>
<tbody>
${data.tableReadings.map(
    (reading) => html`<tr data-reading-id="${reading.id}">
<td>${utcTime(reading.capturedAt)}</td>
<td>${readingValue(reading)}${reading.status === 'accepted' ? '' : html` <span class="badge ${reading.status}" title="${reading.reason ?? STATUS_HINT[reading.status]}">${reading.status}</span>`}</td>
<td>${formatConfidence(reading.confidence)}</td>
<td><a href="${readingUrl(meter.serialNumber, reading.id)}" aria-label="Evidence of the reading at ${utcTime(reading.capturedAt)}">${reading.imagePath ? 'Image' : 'Details'}</a></td>
</tr>`,
  )}
</tbody>
</table>
<nav class="pager" aria-label="Readings pages">
${newer !== null ? html`<a href="${meterUrl(meter.serialNumber)}?offset=${newer}">← Newer</a>` : ''}
${older !== null ? html`<a href="${meterUrl(meter.serialNumber)}?offset=${older}">Older →</a>` : ''}
</nav>`;
}

/** Renders the accepted value, or what was read (in italics) for readings that carry no value. */
export function readingValue(reading: ReadingRow): Html {
  if (reading.value !== null) return html`${formatValue(reading.value, reading.unit)}`;
  if (reading.rawValue !== null) return html`<em title="read but not accepted">${formatValue(reading.rawValue, reading.unit)}</em>`;
  return html`<span class="muted">–</span>`;
}
