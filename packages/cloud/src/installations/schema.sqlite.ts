import { index, integer, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { Schedule } from '@metervision/protocol';
import { devices, meters, organizations, users } from '../db/schema.sqlite.ts';
import type { ActorKind, Check, InstallationEventType, InstallationStatus, ValidationRecord } from './types.ts';

// Installation workflow tables for SQLite: the same tables, columns and indexes as `schema.pg.ts`,
// with timestamps as integer milliseconds and JSON as text.

const moment = (name: string) => integer(name, { mode: 'timestamp_ms' });
const json = <T>(name: string) => text(name, { mode: 'json' }).$type<T>();
const now = () => new Date();

/** Installation sessions: one meter, one camera, the pairing code and the latest validation. */
export const installations = sqliteTable(
  'installations',
  {
    id: text('id').primaryKey(),
    organizationId: integer('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    meterId: integer('meter_id')
      .notNull()
      .references(() => meters.id, { onDelete: 'cascade' }),
    deviceId: text('device_id')
      .notNull()
      .references(() => devices.id, { onDelete: 'cascade' }),
    status: text('status').$type<InstallationStatus>().notNull(),
    pairingCodeHash: text('pairing_code_hash').notNull(),
    pairingExpiresAt: moment('pairing_expires_at').notNull(),
    pairingAttempts: integer('pairing_attempts').notNull().default(0),
    pairedAt: moment('paired_at'),
    expectedValue: real('expected_value'),
    confirmedSerial: text('confirmed_serial'),
    schedule: json<Schedule>('schedule'),
    validation: json<ValidationRecord>('validation'),
    validationRuns: integer('validation_runs').notNull().default(0),
    validationStartedAt: moment('validation_started_at'),
    failedChecks: json<Check[]>('failed_checks'),
    configVersion: integer('config_version'),
    createdBy: integer('created_by').references(() => users.id, { onDelete: 'set null' }),
    completedBy: integer('completed_by').references(() => users.id, { onDelete: 'set null' }),
    completedAt: moment('completed_at'),
    createdAt: moment('created_at').notNull().$defaultFn(now),
    updatedAt: moment('updated_at').notNull().$defaultFn(now),
  },
  (table) => [
    uniqueIndex('installations_pairing_code_unique').on(table.pairingCodeHash),
    index('installations_organization_idx').on(table.organizationId),
    index('installations_meter_idx').on(table.meterId),
    index('installations_device_idx').on(table.deviceId),
  ],
);

/** Every step of a session with who did it (a user, the camera or the cloud itself) and when. */
export const installationEvents = sqliteTable(
  'installation_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    installationId: text('installation_id')
      .notNull()
      .references(() => installations.id, { onDelete: 'cascade' }),
    type: text('type').$type<InstallationEventType>().notNull(),
    actorKind: text('actor_kind').$type<ActorKind>().notNull(),
    actorUserId: integer('actor_user_id').references(() => users.id, { onDelete: 'set null' }),
    actorDeviceId: text('actor_device_id'),
    at: moment('at').notNull().$defaultFn(now),
    details: json<Record<string, unknown>>('details'),
  },
  (table) => [index('installation_events_installation_idx').on(table.installationId, table.id)],
);

/** The latest heartbeat of each camera: what the devices row does not keep (clock, channel, capture time). */
export const deviceHeartbeats = sqliteTable('device_heartbeats', {
  deviceId: text('device_id')
    .primaryKey()
    .references(() => devices.id, { onDelete: 'cascade' }),
  receivedAt: moment('received_at').notNull(),
  /** Device clock when it sent the heartbeat. */
  sentAt: moment('sent_at').notNull(),
  via: text('via').$type<'mqtt' | 'http'>().notNull(),
  /** Device clock minus cloud clock at reception, in milliseconds (includes the transit time). */
  clockSkewMs: integer('clock_skew_ms').notNull(),
  /** Skew the device measured itself from an HTTP `Date` header; null when it did not. */
  reportedClockSkewMs: integer('reported_clock_skew_ms'),
  clockSynchronized: integer('clock_synchronized', { mode: 'boolean' }),
  lastCaptureAt: moment('last_capture_at'),
  captureFailures: integer('capture_failures').notNull().default(0),
});
