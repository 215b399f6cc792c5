import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { type DeviceError, encodePayload, type HeartbeatMessage, heartbeatMessageSchema } from '@metervision/protocol';
import { skewFromDateHeader } from './clock.ts';

/** Health figures the agent keeps up to date for its heartbeats. */
export interface HealthState {
  startedAt: number;
  lastCaptureAt: string | null;
  lastError: DeviceError | null;
  captureFailures: number;
  clockSkewMs: number | null;
  clockSynchronized: boolean | null;
}

export interface HeartbeatInputs {
  firmwareVersion: string;
  health: HealthState;
  outboxPending: number;
  outboxDropped: number;
  configVersion: number | null;
  signalDbm: number | null;
  schedule: HeartbeatMessage['schedule'];
}

/** Builds a heartbeat message from the agent's health figures, with the device clock as `sentAt`. */
export function buildHeartbeat(inputs: HeartbeatInputs, now = Date.now()): HeartbeatMessage {
  return heartbeatMessageSchema.parse({
    v: 1,
    sentAt: new Date(now).toISOString(),
    firmwareVersion: inputs.firmwareVersion,
    uptimeSeconds: Math.max(0, Math.floor((now - inputs.health.startedAt) / 1_000)),
    signalDbm: inputs.signalDbm,
    freeMemoryBytes: os.freemem(),
    lastCaptureAt: inputs.health.lastCaptureAt,
    lastError: inputs.health.lastError,
    outboxPending: inputs.outboxPending,
    outboxDropped: inputs.outboxDropped,
    configVersion: inputs.configVersion,
    captureFailures: inputs.health.captureFailures,
    clockSkewMs: inputs.health.clockSkewMs,
    clockSynchronized: inputs.health.clockSynchronized,
    schedule: inputs.schedule,
  });
}

/**
 * Wi-Fi signal of the first wireless interface in dBm, from `/proc/net/wireless` (Linux); null
 * when wired, not Linux or unreadable.
 */
export async function readSignalDbm(file = '/proc/net/wireless'): Promise<number | null> {
  try {
    const lines = (await readFile(file, 'utf8')).split('\n').slice(2);
    const fields = lines.find((line) => line.includes(':'))?.trim().split(/\s+/);
    const level = Number.parseFloat(fields?.[3] ?? '');
    return Number.isFinite(level) && level < 0 && level >= -150 ? level : null;
  } catch {
    return null;
  }
}

export interface HttpHeartbeatResult {
  ok: boolean;
  status: number | null;
  clockSkewMs: number | null;
  error?: string;
  /** Node's errno code of a network failure (`ECONNREFUSED`, `ENOTFOUND`), or `TimeoutError`. */
  errorCode?: string;
}

/**
 * Sends a heartbeat over HTTP (`POST /api/installations/cameras/heartbeat`, Basic auth with the
 * device credentials), the fallback while MQTT is down. Failures come back in the result
 * instead of being thrown.
 */
export async function sendHttpHeartbeat(
  cloudUrl: string,
  credentials: { username: string; password: string },
  heartbeat: HeartbeatMessage,
  timeoutMs = 10_000,
): Promise<HttpHeartbeatResult> {
  const url = new URL('/api/installations/cameras/heartbeat', cloudUrl);
  const token = Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64');
  const sentAt = Date.now();
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Basic ${token}`, 'content-type': 'application/json' },
      body: encodePayload('heartbeat', heartbeat),
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.body?.cancel();
    const clockSkewMs = skewFromDateHeader(response.headers.get('date'), sentAt, Date.now());
    return { ok: response.ok, status: response.status, clockSkewMs };
  } catch (error) {
    // fetch rejects with the bare message `fetch failed` and keeps the socket's errno code in `cause`.
    if (!(error instanceof Error)) return { ok: false, status: null, clockSkewMs: null, error: String(error) };
    const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
    const errorCode = typeof cause?.code === 'string' ? cause.code : error.name;
    const message = error.message;
    const detail = typeof cause?.message === 'string' ? `${message}: ${cause.message}` : message;
    return { ok: false, status: null, clockSkewMs: null, error: detail, errorCode };
  }
}

/** Returns what a failed HTTP heartbeat means and what to do, by HTTP status or network error. */
export function httpHeartbeatAdvice(result: Pick<HttpHeartbeatResult, 'status' | 'errorCode'>): string {
  const { status } = result;
  if (status === null) {
    if (result.errorCode === 'TimeoutError') return 'the cloud did not respond before the request timed out: check the network link and cloud.url';
    return 'the cloud could not be reached: check cloud.url (or the URL stored at pairing) and the device network';
  }
  if (status === 401) return 'the cloud rejected the device credentials, so the device was removed or its secret replaced: get a new pairing code and run pair again';
  if (status === 404) return 'cloud.url points to a server without the MeterVision heartbeat route: check cloud.url';
  if (status === 422) return 'the cloud rejected the heartbeat message as invalid: the agent and cloud versions probably differ, so update the agent';
  if (status === 429) return 'the cloud is limiting requests from this address; the next heartbeat tries again';
  if (status >= 500) return 'the cloud failed to handle the heartbeat (server error); it retries at the next heartbeat, check the cloud logs if it persists';
  return `the cloud returned the unexpected HTTP status ${status}: check that cloud.url points to the MeterVision cloud`;
}
