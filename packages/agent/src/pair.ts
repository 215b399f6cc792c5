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
 * Parses the cloud base URL, which must include http:// or https://, because `127.0.0.1:8080`
 * alone is not a URL and `localhost:8080` parses with the scheme `localhost:`. `name` labels the
 * value in the error, for example `--cloud`.
 */
export function parseCloudUrl(value: string, name = 'cloud URL'): URL {
  let url: URL | null = null;
  try {
    url = new URL(value);
  } catch {
    url = null;
  }
  if (url && (url.protocol === 'http:' || url.protocol === 'https:')) return url;

  const example = `http://${value.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '') || 'cloud.example.com'}`;
  throw new PairingError(`invalid ${name} ${JSON.stringify(value)}: include http:// or https://, for example ${example}`, null);
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
  const url = new URL('/api/installations/pair', parseCloudUrl(options.cloudUrl));
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
  if (!response.ok) throw rejection(response, body, url);

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

/**
 * Turns a non-2xx pairing response into a {@link PairingError}. The cloud's pair route returns 404
 * only for a code it does not know. A 404 without a JSON `detail` comes from a server without that
 * route, so the URL is the likely mistake.
 */
function rejection(response: Response, body: unknown, url: URL): PairingError {
  const detail = typeof (body as { detail?: unknown } | null)?.detail === 'string' ? (body as { detail: string }).detail : null;
  const where = `HTTP ${response.status} from ${url.origin}`;
  if (response.status === 404 && detail !== null) {
    return new PairingError(`pairing code not found (${where}): check the code shown when the installation started`, 404);
  }
  if (response.status === 404) {
    return new PairingError(`no pairing endpoint at ${url.href} (${where}): check that the cloud URL points at the MeterVision cloud`, 404);
  }
  return new PairingError(`pairing rejected (${where}): ${detail ?? response.statusText}`, response.status);
}
