import { z } from 'zod';
import { skewFromDateHeader } from './clock.ts';
import { type Credentials, writeCredentials } from './credentials.ts';
import { errorMessage, PairingError } from './errors.ts';

const pairResponseSchema = z.object({
  device_id: z.string(),
  session_id: z.string().nullable().optional(),
  meter_serial: z.string().nullable().optional(),
  mqtt_url: z.string().nullable(),
  mqtt_username: z.string().min(1),
  mqtt_password: z.string().min(1),
});

export interface PairOptions {
  cloudUrl: string;
  /** Pairing code shown to the installer, for example `K7Q2-9XMD`. A secret: never logged. */
  code: string;
  deviceId: string;
  stateDir: string;
  timeoutMs?: number;
}

export interface PairResult {
  credentials: Credentials;
  file: string;
  clockSkewMs: number | null;
}

/**
 * Redeems a pairing code (`POST /api/installations/pair`) and stores the returned MQTT
 * credentials in the state directory. Throws a {@link PairingError} with the cloud's `detail`
 * when the code is unknown, used or expired, or the device id does not match.
 *
 * @example
 * await pairDevice({ cloudUrl: 'https://cloud.example', code: 'K7Q2-9XMD', deviceId: 'cam-1', stateDir });
 */
export async function pairDevice(options: PairOptions): Promise<PairResult> {
  const url = new URL('/api/installations/pair', options.cloudUrl);
  const sentAt = Date.now();

  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ pairing_code: options.code, device_id: options.deviceId }),
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
    });
  } catch (error) {
    throw new PairingError(`cannot reach ${url.origin}: ${errorMessage(error)}; check the cloud URL and the network`, null, { cause: error });
  }

  const clockSkewMs = skewFromDateHeader(response.headers.get('date'), sentAt, Date.now());
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const detail = typeof (body as { detail?: unknown } | null)?.detail === 'string' ? (body as { detail: string }).detail : response.statusText;
    throw new PairingError(`pairing rejected by ${url.origin} (HTTP ${response.status}): ${detail}`, response.status);
  }

  const parsed = pairResponseSchema.safeParse(body);
  if (!parsed.success) {
    throw new PairingError(`unexpected pairing response from ${url.origin}: ${parsed.error.issues.map((issue) => issue.path.join('.')).join(', ')} invalid`, response.status);
  }
  if (parsed.data.device_id !== options.deviceId) {
    throw new PairingError(`the cloud paired device ${parsed.data.device_id}, not ${options.deviceId}`, response.status);
  }

  const credentials: Credentials = {
    deviceId: parsed.data.device_id,
    cloudUrl: url.origin,
    sessionId: parsed.data.session_id ?? null,
    meterSerial: parsed.data.meter_serial ?? null,
    mqttUrl: parsed.data.mqtt_url,
    mqttUsername: parsed.data.mqtt_username,
    mqttPassword: parsed.data.mqtt_password,
    pairedAt: new Date().toISOString(),
  };
  const file = await writeCredentials(options.stateDir, credentials);
  return { credentials, file, clockSkewMs };
}
