import { describe, expect, it } from 'vitest';
import type { DeviceHeartbeatRow, DeviceRow } from '../../devices/devices.repo.ts';
import { DEFAULT_INSTALLATION_SETTINGS } from '../settings.ts';
import { grade, stageStatusOf } from './checks.ts';
import { connectivityChecks } from './connectivity.ts';
import { verificationChecks } from './verification.ts';

const now = new Date('2026-12-04T12:00:00Z');
const settings = DEFAULT_INSTALLATION_SETTINGS;

function device(overrides: Partial<DeviceRow> = {}): DeviceRow {
  return {
    id: 'cam-1',
    organizationId: 1,
    meterId: null,
    status: 'online',
    lastSeenAt: now,
    firmwareVersion: '1.0.0',
    signalDbm: -60,
    freeMemoryBytes: 100_000,
    uptimeSeconds: 60,
    outboxPending: 0,
    configVersion: null,
    lastError: null,
    credentialHash: 'sha256$x',
    credentialIssuedAt: now,
    revokedAt: null,
    createdAt: now,
    ...overrides,
  };
}

function heartbeat(overrides: Partial<DeviceHeartbeatRow> = {}): DeviceHeartbeatRow {
  return { deviceId: 'cam-1', receivedAt: new Date(now.getTime() - 30_000), sentAt: now, via: 'mqtt', clockSkewMs: 40, reportedClockSkewMs: null, clockSynchronized: true, lastCaptureAt: null, captureFailures: 0, ...overrides };
}

const statusOf = (checks: { id: string; status: string }[], id: string) => checks.find((check) => check.id === id)?.status;

describe('connectivityChecks', () => {
  it('passes a healthy camera', () => {
    const checks = connectivityChecks({ device: device(), heartbeat: heartbeat(), now, settings });
    expect(checks.map((check) => check.status)).toEqual(['passed', 'passed', 'passed', 'passed']);
    expect(checks.every((check) => check.advice === null)).toBe(true);
  });

  it('fails a stale heartbeat', () => {
    const checks = connectivityChecks({ device: device(), heartbeat: heartbeat({ receivedAt: new Date(now.getTime() - 181_000) }), now, settings });
    const check = checks.find((entry) => entry.id === 'heartbeat_recent')!;
    expect(check).toMatchObject({ status: 'failed', measured: 181, threshold: { max: 180 }, unit: 's' });
    expect(check.advice).toMatch(/power and network/);
  });

  it('fails without any heartbeat', () => {
    const checks = connectivityChecks({ device: device({ status: 'never_seen' }), heartbeat: null, now, settings });
    expect(stageStatusOf(checks)).toBe('failed');
    expect(statusOf(checks, 'camera_online')).toBe('failed');
    expect(statusOf(checks, 'clock_skew')).toBe('failed');
  });

  it('grades the signal strength', () => {
    const at = (signalDbm: number | null) => statusOf(connectivityChecks({ device: device({ signalDbm }), heartbeat: heartbeat(), now, settings }), 'signal_strength');
    expect(at(-60)).toBe('passed');
    expect(at(-80)).toBe('warning');
    expect(at(-90)).toBe('failed');
    expect(at(null)).toBe('passed');
  });

  it('grades the clock skew', () => {
    const at = (clockSkewMs: number, clockSynchronized: boolean | null = true) =>
      statusOf(connectivityChecks({ device: device(), heartbeat: heartbeat({ clockSkewMs, clockSynchronized }), now, settings }), 'clock_skew');
    expect(at(-900)).toBe('passed');
    expect(at(-12_000)).toBe('warning');
    expect(at(45_000)).toBe('failed');
    expect(at(10, false)).toBe('warning');
  });

  it('fails an offline camera', () => {
    const checks = connectivityChecks({ device: device({ status: 'offline' }), heartbeat: heartbeat(), now, settings });
    expect(checks[0]).toMatchObject({ id: 'camera_online', status: 'failed', measured: 'offline' });
  });
});

describe('verificationChecks', () => {
  const input = { readValue: 530.07, unit: 'm3', expectedValue: 530, tolerance: 0.5, meterSerial: 'WM-1', confirmedSerial: 'wm-1 ' };

  it('passes matching value and serial', () => {
    expect(verificationChecks(input).map((check) => check.status)).toEqual(['passed', 'passed']);
  });

  it('fails a value beyond tolerance', () => {
    const [value] = verificationChecks({ ...input, readValue: 567 });
    expect(value).toMatchObject({ status: 'failed', measured: 567, threshold: { min: 529.5, max: 530.5 } });
    expect(value!.advice).toMatch(/another meter/);
  });

  it('fails another serial number', () => {
    const [, serial] = verificationChecks({ ...input, confirmedSerial: 'WM-2' });
    expect(serial).toMatchObject({ status: 'failed', measured: 'WM-2', threshold: { equals: 'WM-1' } });
  });

  it('fails missing installer input', () => {
    const checks = verificationChecks({ ...input, expectedValue: null, confirmedSerial: null });
    expect(checks.map((check) => check.status)).toEqual(['failed', 'failed']);
    expect(checks[0]!.advice).toMatch(/expected_value/);
    expect(checks[1]!.advice).toMatch(/meter_serial/);
  });
});

describe('grade', () => {
  it('fails beyond a limit', () => {
    expect(grade(39, { min: 40 }, 0.1)).toBe('failed');
    expect(grade(216, { min: 40, max: 215 }, 0.1)).toBe('failed');
  });

  it('warns near a limit', () => {
    expect(grade(43, { min: 40 }, 0.1)).toBe('warning');
    expect(grade(0.075, { max: 0.08 }, 0.1)).toBe('warning');
  });

  it('passes well inside', () => {
    expect(grade(120, { min: 40, max: 215 }, 0.1)).toBe('passed');
  });
});
