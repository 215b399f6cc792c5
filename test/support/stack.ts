import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveAgentConfig, startAgent, type AgentHandle } from '@metervision/agent';
import { startCloud, type CloudHandle, type CloudOptionsInput } from '@metervision/cloud';
import type { MeterLayoutInput, PlausibilityRules } from '@metervision/protocol';
import { MeterReader } from '@metervision/vision';
import pino from 'pino';
import { Api } from './api.ts';

export const ADMIN = { username: 'e2e-admin', password: 'e2e-admin-password' };

/** A silent logger, or pino on stderr when METERVISION_TEST_LOG names a level. */
export const testLogger = pino({ level: process.env.METERVISION_TEST_LOG ?? 'silent' });

/** Starts a cloud on loopback with free ports, a temp data folder and a super admin. */
export async function startTestCloud(options: { dataDir: string; databaseUrl?: string; port?: number; mqttPort?: number }): Promise<CloudHandle> {
  const input: CloudOptionsInput = {
    host: '127.0.0.1',
    port: options.port ?? 0,
    mqttPort: options.mqttPort ?? 0,
    dataDir: options.dataDir,
    admin: ADMIN,
    // Logins at the production scrypt cost take about half a second each.
    passwordHashCost: 10,
    jwtSecret: 'end-to-end-test-signing-key-0123456789abcdef',
    logger: testLogger.child({ module: 'cloud' }),
  };
  if (options.databaseUrl) input.databaseUrl = options.databaseUrl;
  return startCloud(input);
}

/** Creates organization > project > customer > building > place > meter and returns the organization id. */
export async function createMeter(api: Api, serialNumber: string, layout: MeterLayoutInput, plausibility?: PlausibilityRules): Promise<number> {
  const organization = await api.post<{ id: number }>('/api/organizations/', { name: `Org of ${serialNumber}` });
  const organization_id = organization.id;
  const project = await api.post<{ id: number }>('/projects/', { organization_id, name: 'Project' });
  const customer = await api.post<{ id: number }>('/customers/', { organization_id, project_id: project.id, name: 'Customer' });
  const building = await api.post<{ id: number }>('/buildings/', { organization_id, customer_id: customer.id, name: 'Building' });
  const place = await api.post<{ id: number }>('/places/', { organization_id, building_id: building.id, name: 'Place' });
  await api.post('/meters/', { organization_id, place_id: place.id, serial_number: serialNumber, layout, ...(plausibility ? { plausibility } : {}) });
  return organization_id;
}

/** Registers a device for the meter through the API and returns its MQTT secret. */
export async function registerDevice(api: Api, deviceId: string, meterSerial: string): Promise<string> {
  const issued = await api.post<{ mqtt_password: string }>('/api/devices/', { device_id: deviceId, meter_serial: meterSerial });
  return issued.mqtt_password;
}

export interface FolderAgentOptions {
  deviceId: string;
  secret: string;
  mqttUrl: string;
  folder: string;
  stateDir: string;
  meterSerial: string;
  layout: MeterLayoutInput;
  reader: MeterReader;
  plausibility?: PlausibilityRules;
}

/**
 * Starts an agent that reads each file of `folder` once, oldest first, on `captureNow` only
 * (no schedule), and reconnects to the broker every 200 ms when the connection drops.
 */
export async function startFolderAgent(options: FolderAgentOptions): Promise<AgentHandle> {
  const config = await resolveAgentConfig({
    deviceId: options.deviceId,
    stateDir: options.stateDir,
    logLevel: 'silent',
    mqtt: { url: options.mqttUrl, password: options.secret, reconnectPeriodMs: 200, connectTimeoutMs: 2_000 },
    cloud: { httpHeartbeat: false },
    source: { type: 'folder', path: options.folder, mode: 'each', settleMs: 0 },
    meter: { meterSerial: options.meterSerial, layout: options.layout, ...(options.plausibility ? { plausibility: options.plausibility } : {}) },
    retry: { attempts: 1, initialDelayMs: 0, maxDelayMs: 0 },
    watchdog: false,
  });
  return startAgent(config, { logger: testLogger.child({ module: 'agent', deviceId: options.deviceId }), reader: options.reader, schedule: false });
}

/** A temp folder removed by the returned function. */
export function tempFolder(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), `metervision-e2e-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Polls `check` every 100 ms until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolveWait) => setTimeout(resolveWait, 100));
  }
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}
