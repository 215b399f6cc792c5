import { html } from 'hono/html';
import type { MeterRow } from '../../assets/meters.repo.ts';
import type { DeviceRow } from '../../devices/devices.repo.ts';
import type { InstallationRow } from '../../installations/installations.repo.ts';
import type { InstallationEvent } from '../../installations/events.repo.ts';
import { OPEN_STATUSES, STAGE_NAMES, type Check, type CheckThreshold, type StageName, type StageRecord, type ValidationRecord } from '../../installations/types.ts';
import { formatSignal, timeTag, utcTime } from '../format.ts';
import type { Html } from '../layout.ts';
import { actionForms, type InstallationActions } from './installation-forms.ts';
import { meterUrl } from './meter.ts';

/** Refresh interval of an open session's page while a validation runs, in ms. */
export const VALIDATING_REFRESH_MS = 2000;
/** Refresh interval of other open sessions (waiting for pairing or for the installer), in ms. */
export const OPEN_REFRESH_MS = 10_000;

export const STAGE_LABELS: Record<StageName, string> = {
  connectivity: 'Connectivity',
  image_quality: 'Image quality',
  recognition: 'Recognition',
  verification: 'Verification',
};

const STATUS_GUIDANCE: Partial<Record<InstallationRow['status'], string>> = {
  awaiting_pairing: 'Waiting for the camera to redeem the pairing code (metervision-agent pair on the camera).',
  paired: 'The camera is paired. Validate it with the value the meter shows now.',
  validating: 'The validation is running: this page follows it.',
  validated: 'Every stage passed. Complete the installation to make the camera active.',
  validation_failed: 'A stage failed: follow the advice below, then validate again.',
  active: 'The installation is complete: the camera is active and its readings go to this meter.',
  failed: 'The installation was closed as failed. Its checks are kept below: start a new session to try again.',
};

export interface InstallationPageData {
  installation: InstallationRow;
  meter: MeterRow | null;
  device: DeviceRow | null;
  events: InstallationEvent[];
  actions: InstallationActions;
}

/** How often the page should reload its live region; null once the session is closed. */
export function refreshInterval(status: InstallationRow['status']): number | null {
  if (status === 'validating') return VALIDATING_REFRESH_MS;
  return OPEN_STATUSES.includes(status) ? OPEN_REFRESH_MS : null;
}

export function installationUrl(id: string): string {
  return `/ui/installations/${encodeURIComponent(id)}`;
}

/**
 * Renders one installation session: its state, the camera, and the four validation stages with
 * every check's measured value, threshold and advice. The `#live` region reloads itself (see
 * `live-region.js`) while the session is open.
 */
export function installationBody(data: InstallationPageData): Html {
  const { installation } = data;
  const refresh = refreshInterval(installation.status);
  const serial = data.meter?.serialNumber ?? `meter ${installation.meterId}`;
  return html`<nav class="breadcrumb" aria-label="Installations"><a href="/ui/installations">Installations</a> › ${serial}</nav>
<section id="live" data-refresh-ms="${refresh ?? ''}">
<div class="title-row"><h1>Installation of ${serial}</h1><span id="live-state" class="live-state" role="status" hidden></span></div>
<p><span class="badge ${installation.status}" id="installation-status">${installation.status.replaceAll('_', ' ')}</span> ${STATUS_GUIDANCE[installation.status] ?? ''}</p>
<dl class="facts card">
<div><dt>Meter</dt><dd>${data.meter ? html`<a href="${meterUrl(data.meter.serialNumber)}">${data.meter.serialNumber}</a>` : serial}</dd></div>
<div><dt>Camera</dt><dd>${installation.deviceId}${data.device ? cameraBadges(data.device) : ''}</dd></div>
${data.device ? html`<div><dt>Signal</dt><dd>${formatSignal(data.device.signalDbm)}</dd></div><div><dt>Last seen</dt><dd>${timeTag(data.device.lastSeenAt)}</dd></div>` : ''}
<div><dt>Started</dt><dd>${utcTime(installation.createdAt)}</dd></div>
${installation.pairedAt ? html`<div><dt>Paired</dt><dd>${utcTime(installation.pairedAt)}</dd></div>` : ''}
${installation.expectedValue !== null ? html`<div><dt>Value on the meter</dt><dd>${installation.expectedValue}</dd></div>` : ''}
</dl>
${data.device?.revokedAt ? html`<p class="error" id="camera-revoked">The camera's credentials were revoked ${utcTime(data.device.revokedAt)}: it can no longer connect. Pair it again with a new installation session.</p>` : ''}
${validationSection(installation)}
${eventLog(data.events)}
</section>
${actionForms(installation, data.actions)}`;
}

/** Connection state of the camera and, as on the fleet page, a badge when its credentials were revoked. */
function cameraBadges(device: DeviceRow): Html {
  const revoked = device.revokedAt ? html` <span class="badge revoked" id="camera-revoked-badge">revoked</span>` : '';
  return html` <span class="badge ${device.status}">${device.status.replaceAll('_', ' ')}</span>${revoked}`;
}

function validationSection(installation: InstallationRow): Html {
  const validation = installation.validation;
  const stages: StageRecord[] = STAGE_NAMES.map(
    (name) => validation?.stages.find((stage) => stage.name === name) ?? { name, status: 'pending', startedAt: null, finishedAt: null, durationMs: null, checks: [], skippedReason: null },
  );
  return html`<h2>Validation${validation ? html` run ${validation.run} <span class="badge ${validation.status}">${validation.status}</span>` : ''}</h2>
${validation ? runFacts(validation) : html`<p class="muted">Not validated yet.</p>`}
${validation?.image ? html`<figure class="evidence card"><img src="${installationUrl(installation.id)}/image?run=${validation.run}" alt="Image the camera sent for this validation, with the meter's regions of interest drawn on it" id="validation-image"><figcaption>Image of run ${validation.run}, captured ${utcTime(new Date(validation.image.capturedAt))}, ${validation.image.width}×${validation.image.height} px, with the layout's regions of interest.</figcaption></figure>` : ''}
<ol class="stages">
${stages.map((stage, index) => stageCard(stage, index + 1))}
</ol>`;
}

function runFacts(validation: ValidationRecord): Html {
  return html`<p class="muted">Started ${utcTime(new Date(validation.startedAt))}${validation.finishedAt ? html`, finished ${utcTime(new Date(validation.finishedAt))}` : ''}${validation.durationMs !== null ? html` (${(validation.durationMs / 1000).toFixed(1)} s)` : ''}.</p>`;
}

function stageCard(stage: StageRecord, position: number): Html {
  return html`<li class="stage card" data-stage="${stage.name}">
<h2><span>${position}. ${STAGE_LABELS[stage.name]}</span> <span class="badge ${stage.status}" data-stage-status>${stage.status}</span>${stage.durationMs !== null ? html` <span class="muted">${stage.durationMs} ms</span>` : ''}</h2>
${stage.skippedReason ? html`<p class="muted">${stage.skippedReason}</p>` : ''}
${stage.checks.length === 0 && !stage.skippedReason ? html`<p class="muted">${stage.status === 'running' ? 'Running…' : 'No checks yet.'}</p>` : ''}
${stage.checks.map(checkItem)}
</li>`;
}

function checkItem(check: Check): Html {
  return html`<div class="check" data-check="${check.id}">
<div class="check-head"><strong>${humanize(check.id)}</strong> <span class="badge ${check.status}">${check.status}</span></div>
<dl class="check-values">
<div><dt>Value</dt><dd data-field="measured">${formatMeasured(check)}</dd></div>
<div><dt>Threshold</dt><dd data-field="threshold">${formatThreshold(check.threshold, check.unit)}</dd></div>
</dl>
<p class="message">${check.message}</p>
${check.advice ? html`<p class="advice"><strong>Advice:</strong> ${check.advice}</p>` : ''}
</div>`;
}

function eventLog(events: InstallationEvent[]): Html {
  if (events.length === 0) return html``;
  const recent = events.slice(-15).reverse();
  return html`<h2>Events</h2>
<table class="compact events">
<thead><tr><th>When</th><th>Event</th><th>By</th></tr></thead>
<tbody>
${recent.map((event) => html`<tr><td>${utcTime(event.at)}</td><td>${event.type.replaceAll('_', ' ')}</td><td>${actorOf(event)}</td></tr>`)}
</tbody>
</table>`;
}

function actorOf(event: InstallationEvent): string {
  if (event.actorKind === 'user') return event.actorUsername ?? `user ${event.actorUserId ?? '(deleted)'}`;
  if (event.actorKind === 'device') return `camera ${event.actorDeviceId ?? ''}`;
  return 'cloud';
}

/** `heartbeat_recent` → `Heartbeat recent`. */
function humanize(id: string): string {
  const words = id.replaceAll('_', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function withUnit(value: string | number, unit: string | null): string {
  return unit ? `${value} ${unit}` : String(value);
}

function formatMeasured(check: Check): string {
  if (check.measured === null) return 'not measured';
  if (typeof check.measured === 'boolean') return check.measured ? 'yes' : 'no';
  return withUnit(check.measured, check.unit);
}

/** Formats a threshold: `≥ -80 dBm`, `≤ 5000 ms`, `40–200`, `= 12345` or its own text. */
export function formatThreshold(threshold: CheckThreshold | null, unit: string | null): string {
  if (!threshold) return '–';
  if (threshold.text) return threshold.text;
  if (threshold.equals !== undefined) return `= ${withUnit(threshold.equals, unit)}`;
  if (threshold.min !== undefined && threshold.max !== undefined) return withUnit(`${threshold.min}–${threshold.max}`, unit);
  if (threshold.min !== undefined) return `≥ ${withUnit(threshold.min, unit)}`;
  if (threshold.max !== undefined) return `≤ ${withUnit(threshold.max, unit)}`;
  return '–';
}
