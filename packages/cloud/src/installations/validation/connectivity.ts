import type { DeviceHeartbeatRow, DeviceRow } from '../../devices/devices.repo.ts';
import type { InstallationSettings } from '../settings.ts';
import type { Check, CheckStatus } from '../types.ts';
import { makeCheck, round } from './checks.ts';

export interface ConnectivityInput {
  device: DeviceRow;
  heartbeat: DeviceHeartbeatRow | null;
  now: Date;
  settings: InstallationSettings;
}

/**
 * Stage 1: the camera is online, sent a heartbeat within the window, has enough signal and a
 * clock close to the cloud's. Reads only what heartbeats and the broker stored; sends nothing.
 */
export function connectivityChecks(input: ConnectivityInput): Check[] {
  return [onlineCheck(input), heartbeatCheck(input), signalCheck(input), clockCheck(input)];
}

function onlineCheck({ device }: ConnectivityInput): Check {
  if (device.status === 'online') {
    return makeCheck('camera_online', 'passed', { measured: 'online', threshold: { equals: 'online' }, message: 'The camera is online.' });
  }

  const since = device.lastSeenAt ? ` since ${device.lastSeenAt.toISOString()}` : '';
  return makeCheck('camera_online', 'failed', {
    measured: device.status,
    threshold: { equals: 'online' },
    message: device.status === 'never_seen' ? 'The camera has never connected.' : `The camera is offline${since}.`,
    advice:
      device.status === 'never_seen'
        ? 'Power the camera, connect it to the network and check that pairing stored its credentials (metervision-agent pair --code …).'
        : 'Check power and network: the camera reconnects by itself once it can reach the broker.',
  });
}

function heartbeatCheck({ heartbeat, now, settings }: ConnectivityInput): Check {
  const threshold = { max: settings.heartbeatWindowSeconds };
  if (!heartbeat) {
    return makeCheck('heartbeat_recent', 'failed', {
      measured: null,
      threshold,
      unit: 's',
      message: 'No heartbeat has been received from the camera.',
      advice: 'Start the camera software: it sends a heartbeat as soon as it connects (over MQTT, or HTTP while MQTT is down).',
    });
  }

  const ageSeconds = round((now.getTime() - heartbeat.receivedAt.getTime()) / 1000, 1);
  const recent = ageSeconds <= settings.heartbeatWindowSeconds;
  return makeCheck('heartbeat_recent', recent ? 'passed' : 'failed', {
    measured: ageSeconds,
    threshold,
    unit: 's',
    message: `The last heartbeat arrived ${ageSeconds} s ago over ${heartbeat.via.toUpperCase()}.`,
    advice: 'The camera stopped reporting: check its power and network, and that the camera software is running.',
  });
}

function signalCheck({ device, settings }: ConnectivityInput): Check {
  const threshold = { min: settings.minSignalDbm };
  if (device.signalDbm === null) {
    return makeCheck('signal_strength', 'passed', { measured: null, threshold, unit: 'dBm', message: 'The camera reports no signal strength (wired or unknown).' });
  }

  const signal = device.signalDbm;
  let status: CheckStatus = 'passed';
  if (signal < settings.warnSignalDbm) status = 'warning';
  if (signal < settings.minSignalDbm) status = 'failed';
  const limit = status === 'failed' ? settings.minSignalDbm : settings.warnSignalDbm;
  return makeCheck('signal_strength', status, {
    measured: signal,
    threshold,
    unit: 'dBm',
    message: status === 'passed' ? `Signal strength is ${signal} dBm.` : `Signal strength ${signal} dBm is below ${limit} dBm.`,
    advice: 'Signal too weak: move the access point or a repeater closer to the camera, or fit an external antenna.',
  });
}

function clockCheck({ heartbeat, settings }: ConnectivityInput): Check {
  const threshold = { max: settings.maxClockSkewMs };
  if (!heartbeat) {
    return makeCheck('clock_skew', 'failed', { measured: null, threshold, unit: 'ms', message: 'The clock cannot be compared without a heartbeat.', advice: 'Wait for the first heartbeat of the camera.' });
  }

  const skew = Math.abs(heartbeat.clockSkewMs);
  const direction = heartbeat.clockSkewMs >= 0 ? 'ahead of' : 'behind';
  const unsynchronized = heartbeat.clockSynchronized === false;
  let status: CheckStatus = 'passed';
  if (skew > settings.warnClockSkewMs || unsynchronized) status = 'warning';
  if (skew > settings.maxClockSkewMs) status = 'failed';
  const note = unsynchronized ? ' Its time service reports the clock as not synchronised.' : '';
  return makeCheck('clock_skew', status, {
    measured: skew,
    threshold,
    unit: 'ms',
    message: skew < 100 ? `The camera clock is within 0.1 s of the cloud's.${note}` : `The camera clock is ${round(skew / 1000, 1)} s ${direction} the cloud's.${note}`,
    advice: "Set the camera's clock: enable NTP (timedatectl set-ntp true) and check that it can reach a time server.",
  });
}
