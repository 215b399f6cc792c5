import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { DEVICE_ID_PATTERN } from '@metervision/protocol';
import type { Database } from '../db/database.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { conflict, HttpError, notFound } from '../http/errors.ts';
import type { DeviceRow } from './devices.repo.ts';

/**
 * Device credentials: MQTT username = client id = device id, password = a random secret shown
 * once. The secret has 256 bits of entropy, so a single SHA-256 is enough to store it: a slow
 * password hash protects guessable human passwords and would only slow every device CONNECT.
 */

const SECRET_BYTES = 32;

export interface IssuedCredentials {
  deviceId: string;
  /** The secret, to give to the device once; only its hash is stored. */
  secret: string;
  device: DeviceRow;
}

function hashSecret(secret: string): string {
  return `sha256$${createHash('sha256').update(secret, 'utf8').digest('base64')}`;
}

function newSecret(): string {
  return randomBytes(SECRET_BYTES).toString('base64url');
}

/**
 * Registers device `deviceId` for a meter and issues its first secret. A device id that is
 * already registered raises 409; rotate its credentials instead.
 */
export async function registerDevice(
  database: Database,
  device: { deviceId: string; organizationId: number; meterId: number | null },
): Promise<IssuedCredentials> {
  if (!DEVICE_ID_PATTERN.test(device.deviceId)) {
    throw new HttpError(422, `Invalid device id ${JSON.stringify(device.deviceId)}: use 1-64 characters of A-Z, a-z, 0-9, "-" or "_".`);
  }

  const { devices } = database.tables;
  const secret = newSecret();
  try {
    const [row] = await database.db
      .insert(devices)
      .values({
        id: device.deviceId,
        organizationId: device.organizationId,
        meterId: device.meterId,
        credentialHash: hashSecret(secret),
        credentialIssuedAt: new Date(),
      })
      .returning();
    return { deviceId: device.deviceId, secret, device: row! };
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(`Device ${device.deviceId} is already registered: rotate its credentials instead`);
    throw error;
  }
}

/** Issues a new secret for a registered device (also after a revoke); the old secret stops working. */
export async function issueDeviceCredentials(database: Database, deviceId: string): Promise<IssuedCredentials> {
  const { devices } = database.tables;
  const secret = newSecret();
  const [row] = await database.db
    .update(devices)
    .set({ credentialHash: hashSecret(secret), credentialIssuedAt: new Date(), revokedAt: null })
    .where(eq(devices.id, deviceId))
    .returning();
  if (!row) throw notFound(`Device ${deviceId}`);
  return { deviceId, secret, device: row };
}

/** Revokes a device's credentials: it can no longer connect or call the API until reissued. */
export async function revokeDeviceCredentials(database: Database, deviceId: string): Promise<DeviceRow> {
  const { devices } = database.tables;
  const [row] = await database.db
    .update(devices)
    .set({ credentialHash: null, revokedAt: new Date() })
    .where(eq(devices.id, deviceId))
    .returning();
  if (!row) throw notFound(`Device ${deviceId}`);
  return row;
}

/** Returns the device when `secret` matches its current credentials, otherwise null. */
export async function verifyDeviceCredentials(database: Database, deviceId: string, secret: string): Promise<DeviceRow | null> {
  if (!DEVICE_ID_PATTERN.test(deviceId) || secret.length === 0) return null;

  const { devices } = database.tables;
  const [row] = await database.db.select().from(devices).where(eq(devices.id, deviceId));
  if (!row || !row.credentialHash || row.revokedAt) return null;

  const expected = Buffer.from(row.credentialHash);
  const actual = Buffer.from(hashSecret(secret));
  return expected.length === actual.length && timingSafeEqual(expected, actual) ? row : null;
}
