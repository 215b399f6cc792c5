import { html } from 'hono/html';
import type { Html } from './layout.ts';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** Elapsed time in words, for example `5 min ago`; the live script uses the same wording. */
export function timeAgo(at: Date, now = new Date()): string {
  const elapsed = now.getTime() - at.getTime();
  if (elapsed < MINUTE_MS) return 'just now';
  if (elapsed < HOUR_MS) return `${Math.floor(elapsed / MINUTE_MS)} min ago`;
  if (elapsed < DAY_MS) return `${Math.floor(elapsed / HOUR_MS)} h ago`;
  return `${Math.floor(elapsed / DAY_MS)} d ago`;
}

/** Renders a `<time>` element: relative text with the exact UTC time as tooltip, or `never` for null. */
export function timeTag(at: Date | null, now = new Date()): Html {
  if (!at) return html`<span class="muted">never</span>`;
  const iso = at.toISOString();
  return html`<time datetime="${iso}" title="${iso.replace('T', ' ').slice(0, 19)} UTC">${timeAgo(at, now)}</time>`;
}

/** Exact UTC time, `2024-05-01 10:00:00 UTC`, for tables where the order matters more than the age. */
export function utcTime(at: Date): string {
  return `${at.toISOString().replace('T', ' ').slice(0, 19)} UTC`;
}

/** Formats a meter value with its unit: up to 4 decimals, trailing zeros dropped. */
export function formatValue(value: number | null, unit: string): string {
  if (value === null) return '–';
  return `${Number(value.toFixed(4)).toString()} ${unit}`;
}

export function formatConfidence(confidence: number): string {
  return `${Math.round(confidence * 100)} %`;
}

export function formatSignal(dbm: number | null): string {
  return dbm === null ? '–' : `${Math.round(dbm)} dBm`;
}
