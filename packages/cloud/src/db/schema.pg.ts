import {
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import type { DeviceError, DigitResult, ImageQuality, MeterLayout, PlausibilityRules, PointerResult } from '@metervision/protocol';
import type { MembershipRole, PlatformRole } from '../access/roles.ts';

// PostgreSQL schema. `schema.sqlite.ts` declares the same tables, columns and indexes for SQLite;
// `schema.test.ts` fails when the two drift apart. Column values round-trip to the same JavaScript
// types on both dialects: Date for timestamps, objects for JSON, numbers for reals.

const id = () => integer('id').primaryKey().generatedByDefaultAsIdentity();
const createdAt = () => timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().$defaultFn(() => new Date());
const moment = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const organizationId = () =>
  integer('organization_id')
    .notNull()
    .references(() => organizations.id, { onDelete: 'cascade' });

export const users = pgTable('users', {
  id: id(),
  username: text('username').notNull().unique(),
  passwordHash: text('password_hash').notNull(),
  fullName: text('full_name'),
  email: text('email'),
  platformRole: text('platform_role').$type<PlatformRole>().notNull().default('user'),
  isActive: boolean('is_active').notNull().default(true),
  /** Time at or before which access tokens are rejected. A password change or a deactivation sets it. */
  tokensValidAfter: moment('tokens_valid_after'),
  createdAt: createdAt(),
});

/**
 * Ids (`jti`) of access tokens revoked before they expire, such as the dashboard session token at
 * sign-out. A row is of no use once its token expires, so revoking a token deletes expired rows.
 */
export const revokedTokens = pgTable(
  'revoked_tokens',
  {
    tokenId: text('jti').primaryKey(),
    /** Expiry (`exp`) of the revoked token. */
    expiresAt: moment('expires_at').notNull(),
  },
  (table) => [index('revoked_tokens_expires_at_idx').on(table.expiresAt)],
);

export const organizations = pgTable('organizations', {
  id: id(),
  name: text('name').notNull().unique(),
  description: text('description'),
  createdAt: createdAt(),
});

export const memberships = pgTable(
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

export const projects = pgTable(
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

export const customers = pgTable(
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

export const buildings = pgTable(
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

export const places = pgTable(
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

export const meters = pgTable(
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
    layout: jsonb('layout').$type<MeterLayout>(),
    plausibility: jsonb('plausibility').$type<PlausibilityRules>(),
    createdAt: createdAt(),
    updatedAt: moment('updated_at').notNull().$defaultFn(() => new Date()),
  },
  (table) => [index('meters_organization_idx').on(table.organizationId)],
);

export const devices = pgTable(
  'devices',
  {
    id: text('id').primaryKey(),
    organizationId: organizationId(),
    meterId: integer('meter_id').references(() => meters.id, { onDelete: 'set null' }),
    status: text('status').$type<'never_seen' | 'online' | 'offline'>().notNull().default('never_seen'),
    lastSeenAt: moment('last_seen_at'),
    firmwareVersion: text('firmware_version'),
    signalDbm: doublePrecision('signal_dbm'),
    freeMemoryBytes: doublePrecision('free_memory_bytes'),
    uptimeSeconds: doublePrecision('uptime_seconds'),
    outboxPending: integer('outbox_pending'),
    configVersion: integer('config_version'),
    lastError: jsonb('last_error').$type<DeviceError>(),
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
  value: doublePrecision('value'),
  text: text('text'),
  rawValue: doublePrecision('raw_value'),
  rawText: text('raw_text'),
  unit: text('unit').notNull(),
  confidence: doublePrecision('confidence').notNull(),
  reasonCode: text('reason_code'),
  reason: text('reason'),
  digits: jsonb('digits').$type<DigitResult[]>().notNull(),
  pointers: jsonb('pointers').$type<PointerResult[]>().notNull(),
  quality: jsonb('quality').$type<ImageQuality>(),
  configVersion: integer('config_version'),
  processingMs: doublePrecision('processing_ms'),
  capturedAt: moment('captured_at').notNull(),
  receivedAt: moment('received_at').notNull(),
  imagePath: text('image_path'),
  imageContentType: text('image_content_type'),
});

export const readings = pgTable(
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
export const unassignedReadings = pgTable(
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
