import { AssetsRepo } from './assets/assets.repo.ts';
import { MetersRepo } from './assets/meters.repo.ts';
import { RevokedTokensRepo } from './auth/revoked-tokens.repo.ts';
import { UsersRepo } from './auth/users.repo.ts';
import type { Database } from './db/database.ts';
import { DevicesRepo } from './devices/devices.repo.ts';
import { MembershipsRepo } from './organizations/memberships.repo.ts';
import { OrganizationsRepo } from './organizations/organizations.repo.ts';
import { ReadingsRepo } from './readings/readings.repo.ts';
import { UnassignedReadingsRepo } from './readings/unassigned.repo.ts';

/** The domain repositories over one database. */
export interface Repositories {
  users: UsersRepo;
  /** Ids of access tokens revoked before their expiry. */
  revokedTokens: RevokedTokensRepo;
  organizations: OrganizationsRepo;
  memberships: MembershipsRepo;
  assets: AssetsRepo;
  meters: MetersRepo;
  devices: DevicesRepo;
  readings: ReadingsRepo;
  /** Readings of devices bound to no meter, kept apart from meter readings. */
  unassignedReadings: UnassignedReadingsRepo;
}

export function createRepositories(database: Database): Repositories {
  const assets = new AssetsRepo(database);
  return {
    users: new UsersRepo(database),
    revokedTokens: new RevokedTokensRepo(database),
    organizations: new OrganizationsRepo(database),
    memberships: new MembershipsRepo(database),
    assets,
    meters: new MetersRepo(database, assets),
    devices: new DevicesRepo(database),
    readings: new ReadingsRepo(database),
    unassignedReadings: new UnassignedReadingsRepo(database),
  };
}
