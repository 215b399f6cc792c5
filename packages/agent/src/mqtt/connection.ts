import { readFileSync } from 'node:fs';
import { encodePayload, topics } from '@metervision/protocol';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { MqttSettings } from '../config/schema.ts';
import { OutageLog, type OutageLogOptions } from '../outage-log.ts';

/** CONNACK return codes of MQTT 3.1.1 §3.2.2.3: bad user name or password, not authorized. */
const CONNACK_BAD_CREDENTIALS = 4;
const CONNACK_NOT_AUTHORIZED = 5;
/** Maximum pause between reconnect attempts while the broker rejects the credentials. */
const MAX_AUTH_BACKOFF_MS = 300_000;

export interface ConnectionOptions {
  deviceId: string;
  url: string;
  username: string;
  password?: string;
  settings: MqttSettings;
  logger: Logger;
  /** Pauses between the summary lines of an outage; the defaults suit a device (one minute, doubling to 15). */
  outageLog?: Pick<OutageLogOptions, 'firstSummaryAfterMs' | 'maxSummaryIntervalMs'>;
}

/**
 * Opens the device's MQTT connection. It returns at once and keeps reconnecting every
 * `reconnectPeriodMs` for as long as the agent runs.
 *
 * - Client id = device id, as the cloud's broker requires.
 * - Last will: a retained `offline` status (QoS 1), published by the broker when the connection
 *   drops without a DISCONNECT (MQTT 3.1.1 §3.1.2.5).
 * - Clean session: commands sent while the device is offline are not queued for it, so a stale
 *   `capture_now` does not run hours later. The retained configuration arrives on every connect.
 */
export function connectMqtt(options: ConnectionOptions): MqttClient {
  const { deviceId, settings, logger } = options;
  const clientOptions: IClientOptions = {
    clientId: deviceId,
    username: options.username,
    password: options.password,
    clean: true,
    protocolVersion: 4,
    keepalive: settings.keepaliveSeconds,
    reconnectPeriod: settings.reconnectPeriodMs,
    connectTimeout: settings.connectTimeoutMs,
    // Readings go through the SQLite outbox, so nothing relies on mqtt.js' memory queue for QoS 0.
    queueQoSZero: false,
    // mqtt.js stops reconnecting after a refused CONNACK by default; a device must keep trying,
    // because the refusal may come from a cloud that is restarting.
    reconnectOnConnackError: true,
    will: lastWill(deviceId),
    ca: settings.caFile ? readFileSync(settings.caFile) : undefined,
  };

  const client = mqtt.connect(options.url, clientOptions);
  const outage = new OutageLog({ ...options.outageLog, logger, subject: 'broker connection' });

  client.on('connect', () => {
    client.options.reconnectPeriod = settings.reconnectPeriodMs;
    const url = redactBrokerUrl(options.url);
    const ended = outage.recovered();
    if (ended) logger.info({ url, ...ended }, 'reconnected to broker');
    else logger.info({ url }, 'connected to broker');
    client.publish(topics.status(deviceId), statusPayload('online'), { qos: 1, retain: true }, (error) => {
      if (error) logger.warn({ err: error.message }, 'online status not published');
    });
  });
  client.on('reconnect', () => {
    // The will carries the time of the CONNECT it belongs to.
    client.options.will = lastWill(deviceId);
    logger.debug('reconnecting to broker');
  });
  // mqtt.js emits `offline` once per outage; at start-up the first connection error opens the outage instead.
  client.on('offline', () => {
    if (outage.begin()) logger.warn('broker connection lost, will retry');
  });
  client.on('error', (error) => {
    const code = (error as { code?: unknown }).code;
    if (code === CONNACK_BAD_CREDENTIALS || code === CONNACK_NOT_AUTHORIZED) {
      // Wrong credentials do not fix themselves: back off so a revoked device does not hammer the broker.
      // The doubling pause already limits these lines to about one per retry.
      client.options.reconnectPeriod = Math.min((client.options.reconnectPeriod ?? settings.reconnectPeriodMs) * 2, MAX_AUTH_BACKOFF_MS);
      outage.begin();
      logger.error({ code, retryInMs: client.options.reconnectPeriod }, 'broker rejected the device credentials; pair the device again');
      return;
    }
    const kind = typeof code === 'string' ? code : error.message;
    const fields = { err: error.message, code, advice: connectionAdvice(kind) };
    outage.failure({ kind, message: 'broker connection error', fields });
  });

  return client;
}

/** Returns what a connection error usually means on a device and what to do, by Node's errno code. */
function connectionAdvice(kind: string): string {
  const keepsReadings = 'the agent keeps retrying and readings wait in the outbox';
  switch (kind) {
    case 'ECONNREFUSED':
      return `nothing accepts connections at the broker address: the cloud or its broker is down, or the port in mqtt.url is wrong; ${keepsReadings}`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `the broker host name does not resolve: check the host in mqtt.url and the device's DNS and network; ${keepsReadings}`;
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `the broker cannot be reached: check the device's network link and any firewall between it and the host in mqtt.url; ${keepsReadings}`;
    case 'ECONNRESET':
      return `the connection was reset: the broker restarted, or it expects TLS and mqtt.url should start with mqtts://; ${keepsReadings}`;
    default:
      return `check the network and mqtt.url; ${keepsReadings}`;
  }
}

function lastWill(deviceId: string): NonNullable<IClientOptions['will']> {
  return { topic: topics.status(deviceId), payload: Buffer.from(statusPayload('offline')), qos: 1, retain: true };
}

/** Builds the retained presence message; `reason` marks a deliberate disconnect. */
export function statusPayload(state: 'online' | 'offline', reason?: string): string {
  return encodePayload('status', { v: 1, state, at: new Date().toISOString(), reason });
}

/** Returns the broker URL without user info, for logs. */
export function redactBrokerUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    return '(invalid url)';
  }
}
