import { html } from 'hono/html';
import type { MeterRow } from '../../assets/meters.repo.ts';
import type { ReadingRow } from '../../readings/readings.repo.ts';
import { formatConfidence, utcTime } from '../format.ts';
import type { Html } from '../layout.ts';
import type { MeterTreeRow } from '../queries.ts';
import { breadcrumb, readingUrl, readingValue } from './meter.ts';

export interface ReadingPageData {
  meter: MeterRow;
  path: MeterTreeRow | null;
  reading: ReadingRow;
}

/**
 * Renders one reading's evidence: the stored photo with the layout's ROIs, marks and read values drawn
 * on it, then the overall and per-wheel confidence and the image-quality figures.
 */
export function readingBody(data: ReadingPageData): Html {
  const { meter, reading } = data;
  const imageUrl = `${readingUrl(meter.serialNumber, reading.id)}/evidence`;
  return html`${breadcrumb(data.path, meter.serialNumber, utcTime(reading.capturedAt))}
<section>
<h1>Reading ${utcTime(reading.capturedAt)}</h1>
<dl class="facts card">
<div><dt>Status</dt><dd><span class="badge ${reading.status}">${reading.status}</span></dd></div>
<div><dt>Value</dt><dd>${readingValue(reading)}${reading.text || reading.rawText ? html` <span class="muted">shown as ${reading.text ?? reading.rawText}</span>` : ''}</dd></div>
<div><dt>Confidence</dt><dd id="reading-confidence">${formatConfidence(reading.confidence)}</dd></div>
${reading.reason ? html`<div><dt>Reason</dt><dd>${reading.reason}${reading.reasonCode ? html` <code>${reading.reasonCode}</code>` : ''}</dd></div>` : ''}
<div><dt>Source</dt><dd>${reading.source === 'device' ? html`camera ${reading.deviceId ?? '(removed)'}` : 'photo upload'}</dd></div>
<div><dt>Received</dt><dd>${utcTime(reading.receivedAt)}</dd></div>
</dl>
${reading.imagePath ? html`<figure class="evidence card">
<img src="${imageUrl}" alt="Photo of meter ${meter.serialNumber} with the reading regions drawn on it" id="evidence-image">
<figcaption>Regions of interest from the meter's layout, with the digit read in each and its confidence.</figcaption>
</figure>` : html`<p class="empty">This reading has no stored image.</p>`}
${recognition(reading)}
${quality(reading)}
</section>`;
}

function recognition(reading: ReadingRow): Html {
  const parts = [
    ...reading.digits.map((digit) => ({ kind: 'wheel', name: digit.name, value: digit.value === null ? '?' : String(digit.value), confidence: digit.confidence })),
    ...reading.pointers.map((pointer) => ({ kind: 'dial', name: pointer.name, value: pointer.value.toFixed(2), confidence: pointer.confidence })),
  ];
  if (parts.length === 0) return html``;

  return html`<h2>Wheels and dials</h2>
<table class="compact digits">
<thead><tr><th>Region</th><th>Kind</th><th>Read</th><th>Confidence</th></tr></thead>
<tbody>
${parts.map(
    (part) => html`<tr><td>${part.name}</td><td>${part.kind}</td><td>${part.value}</td><td>${formatConfidence(part.confidence)}</td></tr>`,
  )}
</tbody>
</table>`;
}

function quality(reading: ReadingRow): Html {
  const figures = reading.quality;
  if (!figures) return html``;

  return html`<h2>Image quality</h2>
<dl class="facts card">
<div><dt>Brightness</dt><dd>${figures.brightness.toFixed(0)} <span class="muted">of 255</span></dd></div>
<div><dt>Contrast</dt><dd>${figures.contrast.toFixed(1)} <span class="muted">luminance std. dev.</span></dd></div>
<div><dt>Sharpness</dt><dd>${figures.sharpness.toFixed(0)} <span class="muted">Laplacian variance</span></dd></div>
<div><dt>Glare</dt><dd>${(figures.glare * 100).toFixed(1)} % <span class="muted">saturated pixels</span></dd></div>
</dl>`;
}
