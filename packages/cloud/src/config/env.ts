import { MAX_PASSWORD_HASH_COST, MIN_PASSWORD_HASH_COST } from '../auth/passwords.ts';
import type { LivenessOptions } from '../devices/liveness.ts';
import type { InstallationSettings } from '../installations/settings.ts';
import { checkDatabaseUrl, checkLogLevel, displayValue, urlCheck, type ValueCheck } from './checks.ts';
import type { CloudOptions, CloudOptionsInput } from './options.ts';


const checkMqttUrl = urlCheck(['mqtt', 'mqtts', 'ws', 'wss'], 'mqtts://mqtt.example.com:8883');
/** The schemes mqtt.js connects with over TCP, TLS and WebSocket. */
const checkBrokerUrl = urlCheck(['mqtt', 'mqtts', 'tcp', 'tls', 'ssl', 'ws', 'wss'], 'mqtt://127.0.0.1:1883');

/** Option an environment variable sets: a top-level option, or one field of a group such as `installations.valueTolerance`. */
export type EnvOption =
  | keyof CloudOptions
  | `installations.${keyof InstallationSettings}`
  | `liveness.${keyof LivenessOptions}`
  | 'admin.username'
  | 'admin.password'
  | 'logLevel';

/** One environment variable the cloud reads, with the option it sets. Documented in docs/api.md. */
export interface EnvVariable {
  name: string;
  option: EnvOption;
  description: string;
  /** `integer`: a whole number of at least `min` (default 0). `number`: a decimal, negative unless `min` forbids it. */
  kind: 'string' | 'port' | 'integer' | 'number';
  /** Smallest accepted value of a numeric variable. */
  min?: number;
  /** Largest accepted value of a numeric variable. */
  max?: number;
  /** Check of a `string` variable's value. */
  check?: ValueCheck;
}

/** Every environment variable of the cloud; the deploy manifests are tested against this list. */
export const ENV_VARIABLES: readonly EnvVariable[] = [
  { name: 'HOST', option: 'host', kind: 'string', description: 'Interface the HTTP and MQTT listeners bind to (CLI default 0.0.0.0).' },
  { name: 'PORT', option: 'port', kind: 'port', description: 'HTTP port (default 8000).' },
  { name: 'MQTT_PORT', option: 'mqttPort', kind: 'port', description: 'MQTT port of the embedded broker (default 1883).' },
  { name: 'METERVISION_DATA_DIR', option: 'dataDir', kind: 'string', description: 'Data folder: SQLite file, generated JWT key, images (default ./.metervision).' },
  { name: 'DATABASE_URL', option: 'databaseUrl', kind: 'string', check: checkDatabaseUrl, description: 'SQLite file path or postgres:// (postgresql://) URL; other schemes such as mysql:// are rejected (default <data dir>/metervision.db).' },
  { name: 'DATABASE_POOL_SIZE', option: 'databasePoolSize', kind: 'integer', description: 'PostgreSQL connections per node (default 10).' },
  { name: 'METERVISION_IMAGE_DIR', option: 'imageDir', kind: 'string', description: 'Folder for reading images (default <data dir>/images).' },
  { name: 'JWT_SECRET', option: 'jwtSecret', kind: 'string', description: 'HS256 signing key, at least 32 characters.' },
  { name: 'JWT_SECRET_FILE', option: 'jwtSecretFile', kind: 'string', description: 'File holding the signing key (for example a mounted secret).' },
  { name: 'JWT_EXPIRES_MINUTES', option: 'tokenExpiresMinutes', kind: 'integer', description: 'Access token lifetime in minutes (default 60).' },
  { name: 'JWT_ISSUER', option: 'tokenIssuer', kind: 'string', description: 'JWT iss claim (default metervision).' },
  { name: 'JWT_AUDIENCE', option: 'tokenAudience', kind: 'string', description: 'JWT aud claim (default metervision-api).' },
  { name: 'METERVISION_ADMIN_USERNAME', option: 'admin.username', kind: 'string', description: 'First super admin, created on start when missing.' },
  { name: 'METERVISION_ADMIN_PASSWORD', option: 'admin.password', kind: 'string', description: 'Password of the first super admin (at least 8 characters).' },
  { name: 'PASSWORD_HASH_COST', option: 'passwordHashCost', kind: 'integer', min: MIN_PASSWORD_HASH_COST, max: MAX_PASSWORD_HASH_COST, description: 'log2 of scrypt N for new password hashes, from 10 to 20 (default 17).' },
  { name: 'REDIS_URL', option: 'redisUrl', kind: 'string', check: urlCheck(['redis', 'rediss'], 'redis://127.0.0.1:6379/0'), description: 'Redis URL (redis:// or rediss://): the embedded brokers of several nodes share messages and sessions. The start fails when Redis does not reply within 5 seconds.' },
  { name: 'MQTT_BROKER_URL', option: 'mqttBrokerUrl', kind: 'string', check: checkBrokerUrl, description: 'External broker (Mosquitto, EMQX): no broker is embedded.' },
  { name: 'MQTT_USERNAME', option: 'mqttUsername', kind: 'string', description: 'Service account of the cloud on the external broker.' },
  { name: 'MQTT_PASSWORD', option: 'mqttPassword', kind: 'string', description: 'Password of that service account.' },
  { name: 'MQTT_PUBLIC_URL', option: 'mqttPublicUrl', kind: 'string', check: checkMqttUrl, description: 'MQTT URL given to devices at pairing: mqtt://, mqtts://, ws:// or wss:// (default mqtt://<host>:<MQTT_PORT>).' },
  { name: 'MQTT_MAX_PACKET_BYTES', option: 'mqttMaxPacketBytes', kind: 'integer', min: 65_536, description: 'Largest MQTT packet in bytes the embedded broker accepts from a device; a larger one closes its connection (default 4194304, room for a 2 MiB image as base64).' },
  { name: 'MAX_UPLOAD_BYTES', option: 'maxUploadBytes', kind: 'integer', description: 'Largest image upload in bytes (default 20000000, the reader limit).' },
  { name: 'MAX_IMAGE_PIXELS', option: 'maxImagePixels', kind: 'integer', description: 'Largest image in pixels, checked before decoding (default 40000000).' },
  { name: 'VISION_WORKERS', option: 'visionWorkers', kind: 'integer', description: 'OCR workers for uploaded readings (default 1).' },
  { name: 'HEARTBEAT_INTERVAL_SECONDS', option: 'liveness.heartbeatIntervalSeconds', kind: 'integer', min: 1, description: 'Seconds between two heartbeats of a camera, the unit of the offline rule (default 60).' },
  { name: 'OFFLINE_AFTER_MISSED_HEARTBEATS', option: 'liveness.missedHeartbeats', kind: 'integer', min: 1, description: 'Heartbeats missed in a row before a silent camera is marked offline (default 3).' },
  { name: 'PAIRING_CODE_TTL_SECONDS', option: 'installations.pairingCodeTtlSeconds', kind: 'integer', min: 1, description: 'Lifetime of an installation pairing code in seconds (default 900).' },
  { name: 'VALIDATION_HEARTBEAT_WINDOW_SECONDS', option: 'installations.heartbeatWindowSeconds', kind: 'integer', min: 1, description: 'Validation: largest accepted age of the last heartbeat in seconds (default 180).' },
  { name: 'VALIDATION_MIN_SIGNAL_DBM', option: 'installations.minSignalDbm', kind: 'number', description: 'Validation: lowest accepted signal strength in dBm (default -85; below -75 warns).' },
  { name: 'VALIDATION_MAX_CLOCK_SKEW_MS', option: 'installations.maxClockSkewMs', kind: 'integer', description: 'Validation: largest accepted camera clock skew in milliseconds (default 30000; above 5000 warns).' },
  { name: 'VALIDATION_VALUE_TOLERANCE', option: 'installations.valueTolerance', kind: 'number', min: 0, description: 'Validation: largest accepted difference between the value read and the value the installer typed, in the meter unit (default 0.5).' },
  { name: 'VALIDATION_IMAGE_TIMEOUT_MS', option: 'installations.imageTimeoutMs', kind: 'integer', min: 1, description: 'Validation: milliseconds to wait for the camera image after the send_image command (default 20000).' },
  { name: 'SHUTDOWN_TIMEOUT_MS', option: 'shutdownTimeoutMs', kind: 'integer', description: 'On SIGTERM, milliseconds to wait for running installation validations before marking them abandoned (default 10000).' },
  { name: 'TRUST_PROXY_HOPS', option: 'trustedProxyHops', kind: 'integer', description: 'Reverse proxies in front of the cloud whose X-Forwarded-For entries name the client for rate limits (default 0: the TCP peer).' },
  { name: 'LOG_LEVEL', option: 'logLevel', kind: 'string', check: checkLogLevel, description: 'pino log level: fatal, error, warn, info, debug, trace or silent (default info).' },
];

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    message: string,
    readonly variable: string,
  ) {
    super(message);
  }
}

/** Parses a numeric variable; `string` variables never reach it. */
function parseNumber(variable: EnvVariable, raw: string): number {
  const text = raw.trim();
  const decimal = variable.kind === 'number';
  const min = variable.min ?? (decimal ? -Number.MAX_SAFE_INTEGER : 0);
  const max = variable.max ?? (variable.kind === 'port' ? 65_535 : Number.MAX_SAFE_INTEGER);
  const value = Number(text);
  const pattern = decimal ? /^-?\d+(\.\d+)?$/ : /^\d+$/;
  if (pattern.test(text) && value >= min && value <= max) return value;

  const noun = decimal ? 'a number' : 'a whole number';
  let range = '';
  if (variable.kind === 'port') range = ` from 0 to ${max}`;
  else if (variable.max !== undefined) range = ` from ${min} to ${max}`;
  else if (variable.min !== undefined) range = ` of at least ${min}`;
  throw new ConfigError(`Invalid ${variable.name}=${JSON.stringify(raw)}: expected ${noun}${range}.`, variable.name);
}

function checkString(variable: EnvVariable, raw: string): string {
  const problem = variable.check?.(raw);
  if (problem) throw new ConfigError(`Invalid ${variable.name}=${displayValue(raw)}: ${problem}.`, variable.name);
  return raw;
}

/** Reads the cloud options set in `env`; unset variables are left out so defaults apply. */
export function loadEnvOptions(env: NodeJS.ProcessEnv): Omit<CloudOptionsInput, 'logger'> & { logLevel?: string } {
  const options: Record<string, unknown> = {};
  const groups: Record<string, Record<string, unknown>> = {};

  for (const variable of ENV_VARIABLES) {
    const raw = env[variable.name];
    if (raw === undefined || raw === '') continue;

    const value = variable.kind === 'string' ? checkString(variable, raw) : parseNumber(variable, raw);
    const [group, field] = variable.option.split('.') as [string, string | undefined];
    if (field === undefined) options[group] = value;
    else (groups[group] ??= {})[field] = value;
  }

  const { admin, ...rest } = groups;
  Object.assign(options, rest);
  if (admin) {
    if (!admin.username || !admin.password) {
      throw new ConfigError('Set both METERVISION_ADMIN_USERNAME and METERVISION_ADMIN_PASSWORD, or neither.', 'METERVISION_ADMIN_USERNAME');
    }
    options.admin = { username: admin.username, password: admin.password };
  }
  return options;
}
