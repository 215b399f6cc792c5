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
    return { ok: false, status: null, clockSkewMs: null, error: error instanceof Error ? error.message : String(error) };
  }
}
