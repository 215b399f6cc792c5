import { index, integer, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { DeviceError, DigitResult, ImageQuality, MeterLayout, PlausibilityRules, PointerResult } from '@metervision/protocol';
import type { MembershipRole, PlatformRole } from '../access/roles.ts';

// SQLite schema: the same tables, columns and indexes as `schema.pg.ts`. Timestamps are stored
// as integer milliseconds and JSON as text, so both dialects return Date and plain objects.

const id = () => integer('id').primaryKey({ autoIncrement: true });
const moment = (name: string) => integer(name, { mode: 'timestamp_ms' });
const createdAt = () => moment('created_at').notNull().$defaultFn(() => new Date());
const json = <T>(name: string) => text(name, { mode: 'json' }).$type<T>();
const organizationId = () =>
  integer('organization_id')
    .notNull()
    .references(() => organizations.id, { onDelete: 'cascade' });

export const users = sqliteTable('users', {
  id: id(),
  username: text('username').notNull().unique(),
  passwordHash: text('password_hash').notNull(),
  fullName: text('full_name'),
  email: text('email'),
  platformRole: text('platform_role').$type<PlatformRole>().notNull().default('user'),
  isActive: integer('is_active', { mode: 'boolean' }).notNull().default(true),
  /** Time at or before which access tokens are rejected. A password change or a deactivation sets it. */
  tokensValidAfter: moment('tokens_valid_after'),
  createdAt: createdAt(),
});

/**
 * Ids (`jti`) of access tokens revoked before they expire, such as the dashboard session token at
 * sign-out. A row is of no use once its token expires, so revoking a token deletes expired rows.
 */
export const revokedTokens = sqliteTable(
  'revoked_tokens',
  {
    tokenId: text('jti').primaryKey(),
    /** Expiry (`exp`) of the revoked token. */
    expiresAt: moment('expires_at').notNull(),
  },
  (table) => [index('revoked_tokens_expires_at_idx').on(table.expiresAt)],
);

export const organizations = sqliteTable('organizations', {
  id: id(),
  name: text('name').notNull().unique(),
  description: text('description'),
  createdAt: createdAt(),
});

export const memberships = sqliteTable(
  'memberships',
  {
    id: id(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    organizationId: organizationId(),
    role: text('role').$type<MembershipRole>().notNull(),
    createdAt: createdAt(),
  },
  (table) => [
    uniqueIndex('memberships_user_organization_unique').on(table.userId, table.organizationId),
    index('memberships_organization_idx').on(table.organizationId),
  ],
);

export const projects = sqliteTable(
  'projects',
  {
    id: id(),
    organizationId: organizationId(),
    name: text('name').notNull(),
    description: text('description'),
    createdAt: createdAt(),
  },
  (table) => [index('projects_organization_idx').on(table.organizationId)],
);

export const customers = sqliteTable(
  'customers',
  {
    id: id(),
    organizationId: organizationId(),
    projectId: integer('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    description: text('description'),
    createdAt: createdAt(),
  },
  (table) => [index('customers_organization_idx').on(table.organizationId)],
);

export const buildings = sqliteTable(
  'buildings',
  {
    id: id(),
    organizationId: organizationId(),
    customerId: integer('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    description: text('description'),
    address: text('address'),
    createdAt: createdAt(),
  },
  (table) => [index('buildings_organization_idx').on(table.organizationId)],
);

export const places = sqliteTable(
  'places',
  {
    id: id(),
    organizationId: organizationId(),
    buildingId: integer('building_id')
      .notNull()
      .references(() => buildings.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    description: text('description'),
    createdAt: createdAt(),
  },
  (table) => [index('places_organization_idx').on(table.organizationId)],
);

export const meters = sqliteTable(
  'meters',
  {
    id: id(),
    organizationId: organizationId(),
    placeId: integer('place_id')
      .notNull()
      .references(() => places.id, { onDelete: 'cascade' }),
    serialNumber: text('serial_number').notNull().unique(),
    name: text('name'),
    meterType: text('meter_type').notNull(),
    unit: text('unit').notNull(),
    status: text('status').notNull().default('active'),
    layout: json<MeterLayout>('layout'),
    plausibility: json<PlausibilityRules>('plausibility'),
    createdAt: createdAt(),
    updatedAt: moment('updated_at')
      .notNull()
      .$defaultFn(() => new Date()),
  },
  (table) => [index('meters_organization_idx').on(table.organizationId)],
);

export const devices = sqliteTable(
  'devices',
  {
    id: text('id').primaryKey(),
    organizationId: organizationId(),
    meterId: integer('meter_id').references(() => meters.id, { onDelete: 'set null' }),
    status: text('status').$type<'never_seen' | 'online' | 'offline'>().notNull().default('never_seen'),
    lastSeenAt: moment('last_seen_at'),
    firmwareVersion: text('firmware_version'),
    signalDbm: real('signal_dbm'),
    freeMemoryBytes: real('free_memory_bytes'),
    uptimeSeconds: real('uptime_seconds'),
    outboxPending: integer('outbox_pending'),
    configVersion: integer('config_version'),
    lastError: json<DeviceError>('last_error'),
    credentialHash: text('credential_hash'),
    credentialIssuedAt: moment('credential_issued_at'),
    revokedAt: moment('revoked_at'),
    createdAt: createdAt(),
  },
  (table) => [index('devices_organization_idx').on(table.organizationId), index('devices_meter_idx').on(table.meterId)],
);

/**
 * Columns of a reading's outcome, shared by `readings` (attributed to a meter) and
 * `unassigned_readings` (sent by a device bound to no meter).
 */
const readingResultColumns = () => ({
  status: text('status').$type<'accepted' | 'flagged' | 'rejected' | 'failed'>().notNull(),
  value: real('value'),
  text: text('text'),
  rawValue: real('raw_value'),
  rawText: text('raw_text'),
  unit: text('unit').notNull(),
  confidence: real('confidence').notNull(),
  reasonCode: text('reason_code'),
  reason: text('reason'),
  digits: json<DigitResult[]>('digits').notNull(),
  pointers: json<PointerResult[]>('pointers').notNull(),
  quality: json<ImageQuality>('quality'),
  configVersion: integer('config_version'),
  processingMs: real('processing_ms'),
  capturedAt: moment('captured_at').notNull(),
  receivedAt: moment('received_at').notNull(),
  imagePath: text('image_path'),
  imageContentType: text('image_content_type'),
});

export const readings = sqliteTable(
  'readings',
  {
    id: text('id').primaryKey(),
    organizationId: organizationId(),
    meterId: integer('meter_id')
      .notNull()
      .references(() => meters.id, { onDelete: 'cascade' }),
    deviceId: text('device_id').references(() => devices.id, { onDelete: 'set null' }),
    uploadedBy: integer('uploaded_by').references(() => users.id, { onDelete: 'set null' }),
    source: text('source').$type<'device' | 'upload'>().notNull(),
    ...readingResultColumns(),
  },
  (table) => [
    index('readings_meter_captured_idx').on(table.meterId, table.capturedAt),
    index('readings_organization_idx').on(table.organizationId),
  ],
);

/**
 * Readings a device published while it was bound to no meter (before its installation completed).
 * They stay attached to the device: completing an installation does not move them onto the meter,
 * because the installation had not been validated when they were taken.
 */
export const unassignedReadings = sqliteTable(
  'unassigned_readings',
  {
    id: text('id').primaryKey(),
    organizationId: organizationId(),
    deviceId: text('device_id')
      .notNull()
      .references(() => devices.id, { onDelete: 'cascade' }),
    /** Meter serial the device named in the message, if any; not checked against any meter. */
    reportedMeterSerial: text('reported_meter_serial'),
    ...readingResultColumns(),
  },
  (table) => [
    index('unassigned_readings_device_captured_idx').on(table.deviceId, table.capturedAt),
    index('unassigned_readings_organization_idx').on(table.organizationId),
  ],
);
