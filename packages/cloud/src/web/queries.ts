import { and, asc, count, desc, eq, inArray, or, sql, type Column, type SQL } from 'drizzle-orm';
import type { DeviceError } from '@metervision/protocol';
import type { Database } from '../db/database.ts';
import type { InstallationStatus, ValidationRecord } from '../installations/types.ts';

// Read models of the dashboard pages. Every query takes the organizations the caller may read
// (null: all, for platform readers) and filters on them in SQL, so another tenant's rows are
// never loaded.

/** One camera as the fleet page shows it. */
export interface FleetRow {
  id: string;
  organizationId: number;
  organizationName: string;
  meterSerial: string | null;
  status: 'never_seen' | 'online' | 'offline';
  lastSeenAt: Date | null;
  firmwareVersion: string | null;
  signalDbm: number | null;
  lastError: DeviceError | null;
  revoked: boolean;
}

/** One meter with its place in the hierarchy, as the meters page shows it. */
export interface MeterTreeRow {
  organizationId: number;
  organizationName: string;
  project: { id: number; name: string };
  customer: { id: number; name: string };
  building: { id: number; name: string; address: string | null };
  place: { id: number; name: string };
  meter: { id: number; serialNumber: string; name: string | null; meterType: string; unit: string; status: string };
}

export interface LatestValue {
  value: number | null;
  text: string | null;
  unit: string;
  capturedAt: Date;
}

export interface ListOptions {
  /** Case-insensitive text to look for; empty or undefined lists everything. */
  search?: string;
  /** Rows returned at most. */
  limit: number;
}

/** Builds a `LIKE` pattern matching `search` anywhere, with `%`, `_` and `\` taken literally. */
function containsPattern(search: string): string {
  return `%${search.toLowerCase().replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

function containsAny(search: string | undefined, columns: Column[]): SQL | undefined {
  const trimmed = search?.trim();
  if (!trimmed) return undefined;
  const pattern = containsPattern(trimmed);
  return or(...columns.map((column) => sql`lower(${column}) like ${pattern} escape '\\'`));
}

function scope(column: Column, organizationIds: number[] | null): SQL | undefined {
  return organizationIds === null ? undefined : inArray(column, organizationIds);
}

export type FleetCounts = Record<FleetRow['status'], number>;

/**
 * Cameras of the given organizations, matching `search` on camera id or meter serial, by id,
 * with the number of matching cameras in each state (all of them, not only the rows returned).
 */
export async function listFleet(database: Database, organizationIds: number[] | null, options: ListOptions): Promise<{ rows: FleetRow[]; counts: FleetCounts }> {
  const counts: FleetCounts = { online: 0, offline: 0, never_seen: 0 };
  if (organizationIds !== null && organizationIds.length === 0) return { rows: [], counts };

  const { devices, meters, organizations } = database.tables;
  const where = and(scope(devices.organizationId, organizationIds), containsAny(options.search, [devices.id, meters.serialNumber]));
  const records = await database.db
    .select({
      id: devices.id,
      organizationId: devices.organizationId,
      organizationName: organizations.name,
      meterSerial: meters.serialNumber,
      status: devices.status,
      lastSeenAt: devices.lastSeenAt,
      firmwareVersion: devices.firmwareVersion,
      signalDbm: devices.signalDbm,
      lastError: devices.lastError,
      revokedAt: devices.revokedAt,
    })
    .from(devices)
    .innerJoin(organizations, eq(organizations.id, devices.organizationId))
    .leftJoin(meters, eq(meters.id, devices.meterId))
    .where(where)
    .orderBy(asc(devices.id))
    .limit(options.limit);
  const totals = await database.db
    .select({ status: devices.status, value: count() })
    .from(devices)
    .leftJoin(meters, eq(meters.id, devices.meterId))
    .where(where)
    .groupBy(devices.status);

  for (const total of totals) counts[total.status] = total.value;
  const rows = records.map(({ revokedAt, ...record }) => ({ ...record, revoked: revokedAt !== null }));
  return { rows, counts };
}

/** Meters joined with their place, building, customer, project and organization. */
function selectMeterTree(database: Database) {
  const { organizations, projects, customers, buildings, places, meters } = database.tables;
  return database.db
    .select({
      organizationId: meters.organizationId,
      organizationName: organizations.name,
      project: { id: projects.id, name: projects.name },
      customer: { id: customers.id, name: customers.name },
      building: { id: buildings.id, name: buildings.name, address: buildings.address },
      place: { id: places.id, name: places.name },
      meter: {
        id: meters.id,
        serialNumber: meters.serialNumber,
        name: meters.name,
        meterType: meters.meterType,
        unit: meters.unit,
        status: meters.status,
      },
    })
    .from(meters)
    .innerJoin(organizations, eq(organizations.id, meters.organizationId))
    .innerJoin(places, eq(places.id, meters.placeId))
    .innerJoin(buildings, eq(buildings.id, places.buildingId))
    .innerJoin(customers, eq(customers.id, buildings.customerId))
    .innerJoin(projects, eq(projects.id, customers.projectId))
    .$dynamic();
}

/**
 * Meters of the given organizations with their project, customer, building and place, in
 * hierarchy order. `truncated` is true when more than `limit` matched. `search` matches any of the five
 * names, the meter serial or the building address.
 */
export async function listMeterTree(database: Database, organizationIds: number[] | null, options: ListOptions): Promise<{ rows: MeterTreeRow[]; truncated: boolean }> {
  if (organizationIds !== null && organizationIds.length === 0) return { rows: [], truncated: false };

  const { organizations, projects, customers, buildings, places, meters } = database.tables;
  const searchable = [projects.name, customers.name, buildings.name, buildings.address, places.name, meters.name, meters.serialNumber];
  const where = and(scope(meters.organizationId, organizationIds), containsAny(options.search, searchable));

  // Fetching one row more than shown detects a cut list without a second query.
  const rows = await selectMeterTree(database)
    .where(where)
    .orderBy(asc(organizations.name), asc(projects.name), asc(customers.name), asc(buildings.name), asc(places.name), asc(meters.serialNumber))
    .limit(options.limit + 1);
  return { rows: rows.slice(0, options.limit), truncated: rows.length > options.limit };
}

/** Finds one meter with its place in the hierarchy, for the meter page's breadcrumb; null when absent. */
export async function findMeterTreeRow(database: Database, meterId: number): Promise<MeterTreeRow | null> {
  const [row] = await selectMeterTree(database).where(eq(database.tables.meters.id, meterId));
  return row ?? null;
}

/**
 * Finds the latest accepted reading of each meter in `meterIds` (of the given organizations), by
 * meter id. Meters without an accepted reading are absent.
 */
export async function latestAcceptedValues(database: Database, organizationIds: number[] | null, meterIds: number[]): Promise<Map<number, LatestValue>> {
  const latest = new Map<number, LatestValue>();
  if (meterIds.length === 0) return latest;

  const { readings } = database.tables;
  // A correlated subquery works the same on SQLite and PostgreSQL and uses the
  // (meter_id, captured_at) index; ties on capture time keep the first row returned.
  const newest = sql`(select max(r2.captured_at) from readings r2 where r2.meter_id = ${readings.meterId} and r2.status = 'accepted')`;
  const records = await database.db
    .select({ meterId: readings.meterId, value: readings.value, text: readings.text, unit: readings.unit, capturedAt: readings.capturedAt })
    .from(readings)
    .where(and(scope(readings.organizationId, organizationIds), inArray(readings.meterId, meterIds), eq(readings.status, 'accepted'), sql`${readings.capturedAt} = ${newest}`));

  for (const { meterId, ...value } of records) {
    if (!latest.has(meterId)) latest.set(meterId, value);
  }
  return latest;
}

/** One installation session as the installations page lists it. */
export interface InstallationListRow {
  id: string;
  organizationName: string;
  meterSerial: string;
  deviceId: string;
  status: InstallationStatus;
  validation: ValidationRecord | null;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * Installation sessions of the given organizations in one of `statuses`, most recently
 * changed first.
 */
export async function listInstallations(
  database: Database,
  organizationIds: number[] | null,
  options: { statuses: readonly InstallationStatus[]; limit: number },
): Promise<InstallationListRow[]> {
  if (organizationIds !== null && organizationIds.length === 0) return [];

  const { installations, meters, organizations } = database.tables;
  return database.db
    .select({
      id: installations.id,
      organizationName: organizations.name,
      meterSerial: meters.serialNumber,
      deviceId: installations.deviceId,
      status: installations.status,
      validation: installations.validation,
      createdAt: installations.createdAt,
      updatedAt: installations.updatedAt,
    })
    .from(installations)
    .innerJoin(meters, eq(meters.id, installations.meterId))
    .innerJoin(organizations, eq(organizations.id, installations.organizationId))
    .where(and(scope(installations.organizationId, organizationIds), inArray(installations.status, [...options.statuses])))
    .orderBy(desc(installations.updatedAt), asc(installations.id))
    .limit(options.limit);
}
