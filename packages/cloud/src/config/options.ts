import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS } from '@metervision/vision';
import { DEFAULT_PASSWORD_HASH_COST } from '../auth/passwords.ts';
import { DEFAULT_MAX_PACKET_BYTES } from '../broker/packet-guard.ts';
import { DEFAULT_LIVENESS, type LivenessOptions } from '../devices/liveness.ts';
import type { RateLimit } from '../http/rate-limit.ts';
import { DEFAULT_INSTALLATION_SETTINGS, type InstallationSettings } from '../installations/settings.ts';

/** Options of `startCloud`. Every field has a default; `loadEnvOptions` reads them from the environment. */
export interface CloudOptions {
  /** Interface both listeners bind to. Default 127.0.0.1 (the CLI uses 0.0.0.0). */
  host: string;
  /** HTTP port; 0 picks a free port. Default 8000. */
  port: number;
  /** MQTT (TCP) port of the embedded broker; 0 picks a free port. Default 1883. Ignored with `mqttBrokerUrl`. */
  mqttPort: number;
  /** Folder for the SQLite file, the generated JWT key and reading images. Default `./.metervision`. */
  dataDir: string;
  /** SQLite file path or `postgres://` URL. Default `<dataDir>/metervision.db`. */
  databaseUrl: string;
  /** Folder for reading images. Default `<dataDir>/images`. */
  imageDir: string;
  /** JWT signing key (at least 32 characters). Default: read from `jwtSecretFile`, else generated and kept in `<dataDir>/jwt-secret`. */
  jwtSecret?: string;
  /** File holding the JWT signing key. */
  jwtSecretFile?: string;
  /** Access token lifetime in minutes. Default 60. */
  tokenExpiresMinutes: number;
  /** JWT `iss` claim. Default `metervision`. */
  tokenIssuer: string;
  /** JWT `aud` claim. Default `metervision-api`. */
  tokenAudience: string;
  /** First super admin, created on start when no user of that name exists. */
  admin?: { username: string; password: string };
  /** log2 of scrypt's N for new password hashes. Default 17. */
  passwordHashCost: number;
  /** Redis URL; when set, the embedded broker shares messages and sessions through Redis. */
  redisUrl?: string;
  /** External broker URL; when set, no broker is embedded and the cloud connects as a client. */
  mqttBrokerUrl?: string;
  /** Service account of the cloud on the external broker. */
  mqttUsername?: string;
  mqttPassword?: string;
  /** MQTT URL sent to devices in pairing responses; default derived from host and port. */
  mqttPublicUrl?: string;
  /**
   * Largest MQTT packet in bytes, fixed header included, that the embedded broker accepts from a
   * device; a larger one closes that device's connection. Default 4 MiB (4194304), room for an
   * `images` or `readings` message carrying a 2 MiB image as base64. An external broker has its
   * own limit (Mosquitto: `max_packet_size`).
   */
  mqttMaxPacketBytes: number;
  /** Largest accepted image upload, in bytes. Default: the vision package's limit (20 MB). */
  maxUploadBytes: number;
  /** Largest accepted image in pixels (width × height), checked before decoding. Default: the vision package's limit (40 million). */
  maxImagePixels: number;
  /** PostgreSQL pool size. Default 10. */
  databasePoolSize: number;
  /** OCR workers for server-side reading. Default 1. */
  visionWorkers: number;
  /**
   * Thresholds and timeouts of the installation workflow. Each field is documented with its
   * default on `InstallationSettings`, for example a 15-minute pairing code lifetime.
   */
  installations: InstallationSettings;
  /** When a silent camera counts as offline. Default: 3 missed heartbeats of 60 s, checked every 15 s. */
  liveness: LivenessOptions;
  /**
   * Milliseconds `close()` waits for running installation validations before it marks them
   * abandoned (failed, may be validated again). Default 10000.
   */
  shutdownTimeoutMs: number;
  /** Limits of the public routes that take a secret; see `RateLimits` for each default. */
  rateLimits: RateLimits;
  /**
   * Reverse proxies in front of the cloud that append to `X-Forwarded-For`. The rate limits key
   * on the entry this many places from its end; 0 uses the TCP peer address. Default 0.
   */
  trustedProxyHops: number;
  logger: Logger;
}

/** Per-client limits of the public routes that take a secret, kept in memory on each node. */
export interface RateLimits {
  /** `POST /api/installations/pair` attempts per client address. Default 10 at once, then 10 per minute. */
  pairing: RateLimit;
  /** Failed `POST /token` logins per username and client address. Default 5 at once, then 1 per minute; a successful login resets it. */
  loginFailures: RateLimit;
  /** Failed logins per client address, whatever the username. Default 20 at once, then 10 per minute; a successful login does not reset it. */
  loginFailuresPerAddress: RateLimit;
}

export const DEFAULT_RATE_LIMITS: Readonly<RateLimits> = Object.freeze({
  pairing: { burst: 10, perMinute: 10 },
  loginFailures: { burst: 5, perMinute: 1 },
  loginFailuresPerAddress: { burst: 20, perMinute: 10 },
});

/**
 * Input of `startCloud`: every option may be left out, and so may single fields of the
 * `installations`, `liveness` and `rateLimits` groups.
 *
 * @example
 * startCloud({ port: 0, installations: { valueTolerance: 0.2 }, liveness: { missedHeartbeats: 5 } });
 */
export type CloudOptionsInput = Partial<Omit<CloudOptions, 'installations' | 'liveness' | 'rateLimits'>> & {
  installations?: Partial<InstallationSettings>;
  liveness?: Partial<LivenessOptions>;
  rateLimits?: Partial<RateLimits>;
};

export const DEFAULT_DATA_DIR = '.metervision';

/** Fills every missing option with its default. */
export function resolveOptions(partial: CloudOptionsInput, logger: Logger): CloudOptions {
  const dataDir = resolve(partial.dataDir ?? DEFAULT_DATA_DIR);
  return {
    host: '127.0.0.1',
    port: 8000,
    mqttPort: 1883,
    tokenExpiresMinutes: 60,
    tokenIssuer: 'metervision',
    tokenAudience: 'metervision-api',
    passwordHashCost: DEFAULT_PASSWORD_HASH_COST,
    maxUploadBytes: MAX_IMAGE_BYTES,
    maxImagePixels: MAX_IMAGE_PIXELS,
    databasePoolSize: 10,
    visionWorkers: 1,
    shutdownTimeoutMs: 10_000,
    trustedProxyHops: 0,
    mqttMaxPacketBytes: DEFAULT_MAX_PACKET_BYTES,
    ...stripUndefined(partial),
    dataDir,
    databaseUrl: partial.databaseUrl ?? join(dataDir, 'metervision.db'),
    imageDir: resolve(partial.imageDir ?? join(dataDir, 'images')),
    installations: { ...DEFAULT_INSTALLATION_SETTINGS, ...stripUndefined(partial.installations ?? {}) },
    liveness: { ...DEFAULT_LIVENESS, ...stripUndefined(partial.liveness ?? {}) },
    rateLimits: { ...DEFAULT_RATE_LIMITS, ...stripUndefined(partial.rateLimits ?? {}) },
    logger,
  };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}

/** Host part of a URL for a listener bound to `host`: a wildcard address becomes loopback. */
export function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
