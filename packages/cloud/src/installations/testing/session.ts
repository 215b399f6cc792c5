import { encodePayload, type HeartbeatMessageInput } from '@metervision/protocol';
import type { PairingResult } from '../pairing.ts';

/** Sends a request to the app under test, for example `TestApp.request` or `app.request`. */
export type Requester = (path: string, init?: RequestInit) => Promise<Response> | Response;

/** The parts of the status body the tests read. */
export interface StatusBody {
  session_id: string;
  status: string;
  pairing_code?: string;
  validation: {
    run: number;
    status: string;
    duration_ms: number | null;
    stages: { name: string; status: string; skipped_reason: string | null; checks: { id: string; status: string; measured: unknown; advice: string | null }[] }[];
  } | null;
  failed_checks: { id: string; advice: string | null }[];
  camera: { state: string; connection: string; has_credentials: boolean; last_heartbeat: unknown } | null;
  config_version: number | null;
  events: { type: string; actor: { kind: string; user_id: number | null; device_id: string | null }; details: Record<string, unknown> | null }[];
}

/** Body of a successful `POST /api/installations/pair`. */
export type PairingBody = PairingResult;

/** Sends JSON with a bearer token (when given) and returns the response. */
export async function send(request: Requester, method: string, path: string, options: { token?: string; json?: unknown } = {}): Promise<Response> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.json !== undefined) headers['content-type'] = 'application/json';
  return request(path, { method, headers, body: options.json === undefined ? undefined : JSON.stringify(options.json) });
}

/** Awaits a response, checks that its status is `status` and returns its JSON body. */
export async function expectJson<T>(response: Response | Promise<Response>, status: number): Promise<T> {
  const answered = await response;
  const text = await answered.text();
  if (answered.status !== status) throw new Error(`expected HTTP ${status}, got ${answered.status}: ${text}`);
  return JSON.parse(text) as T;
}

/** Starts a session and redeems its code; returns the started session and the camera's credentials. */
export async function startAndPair(request: Requester, token: string, meterSerial: string, deviceId: string): Promise<{ started: StatusBody; pairing: PairingBody }> {
  const started = await expectJson<StatusBody>(send(request, 'POST', '/api/installations/start', { token, json: { meter_serial: meterSerial, device_id: deviceId } }), 201);
  const pairing = await expectJson<PairingBody>(send(request, 'POST', '/api/installations/pair', { json: { pairing_code: started.pairing_code, device_id: deviceId } }), 200);
  return { started, pairing };
}

/** Polls the status route until the running validation has finished. */
export async function waitForValidation(request: Requester, token: string, sessionId: string, timeoutMs = 30_000, pollMs = 100): Promise<StatusBody> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await expectJson<StatusBody>(send(request, 'GET', `/api/installations/${sessionId}/status`, { token }), 200);
    if (status.status !== 'validating') return status;
    if (Date.now() > deadline) throw new Error(`validation of ${sessionId} still running after ${timeoutMs} ms: ${JSON.stringify(status.validation)}`);
    await new Promise((resolveDelay) => setTimeout(resolveDelay, pollMs));
  }
}

/** Basic authorization header of device credentials. */
export function deviceAuthorization(deviceId: string, secret: string): string {
  return `Basic ${Buffer.from(`${deviceId}:${secret}`).toString('base64')}`;
}

/** Builds a heartbeat message dated now. */
export function heartbeatBody(overrides: Partial<HeartbeatMessageInput> = {}): string {
  return encodePayload('heartbeat', { v: 1, sentAt: new Date().toISOString(), firmwareVersion: 'test/1.0.0', uptimeSeconds: 12, signalDbm: -60, freeMemoryBytes: 150_000, ...overrides });
}

/** Finds check `id` of stage `stage`; throws with the stage's checks when it is absent. */
export function checkOf(status: StatusBody, stage: string, id: string) {
  const found = status.validation?.stages.find((entry) => entry.name === stage);
  const check = found?.checks.find((entry) => entry.id === id);
  if (!check) throw new Error(`no check ${id} in stage ${stage}: ${JSON.stringify(found)}`);
  return check;
}
