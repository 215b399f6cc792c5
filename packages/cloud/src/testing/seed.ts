import type { MeterLayoutInput } from '@metervision/protocol';
import { meterLayoutSchema } from '@metervision/protocol';
import type { MembershipRole, PlatformRole } from '../access/roles.ts';
import { hashPassword } from '../auth/passwords.ts';
import { registerDevice } from '../devices/credentials.ts';
import type { Database } from '../db/database.ts';
import { assetLevel } from '../assets/levels.ts';
import type { Repositories } from '../repositories.ts';

/** Password of every seeded user. */
export const SEED_PASSWORD = 'correct horse battery';

/** A small layout: five digit wheels on a 320×120 frame. */
export const SEED_LAYOUT: MeterLayoutInput = {
  name: 'five wheels',
  unit: 'm3',
  digits: [0, 1, 2, 3, 4].map((index) => ({ name: `d${index}`, x: 20 + index * 56, y: 30, width: 48, height: 60 })),
};

export interface SeededOrganization {
  id: number;
  name: string;
  /** Username of the member holding each role, for example `acme-admin`. */
  members: Record<MembershipRole, string>;
  projectId: number;
  customerId: number;
  buildingId: number;
  placeId: number;
  meterSerial: string;
  meterId: number;
  deviceId: string;
  deviceSecret: string;
}

export interface Seed {
  password: string;
  /** Username of the user holding each platform role; `user` has no membership. */
  platform: Record<PlatformRole, string>;
  organizations: [SeededOrganization, SeededOrganization];
}

const ORGANIZATION_ROLES: MembershipRole[] = ['admin', 'manager', 'installer', 'viewer'];

/**
 * Fills a database with two organizations, each with one member per role, a full hierarchy
 * (project > customer > building > place > meter) and a registered device, plus one user per
 * platform role. Every user's password is `SEED_PASSWORD`; names are prefixed with `prefix`.
 */
export async function seed(database: Database, repos: Repositories, prefix = 'seed'): Promise<Seed> {
  // One cheap hash for every seeded user keeps seeding fast; the salt is shared, which only tests may do.
  const passwordHash = await hashPassword(SEED_PASSWORD, 10);
  const platform = {} as Record<PlatformRole, string>;
  for (const role of ['super_admin', 'platform_manager', 'user'] as PlatformRole[]) {
    const username = `${prefix}-${role.replace('_', '-')}`;
    await repos.users.create({ username, passwordHash, platformRole: role });
    platform[role] = username;
  }

  const organizations = [await seedOrganization(database, repos, `${prefix}-acme`, passwordHash), await seedOrganization(database, repos, `${prefix}-globex`, passwordHash)] as [
    SeededOrganization,
    SeededOrganization,
  ];
  return { password: SEED_PASSWORD, platform, organizations };
}

async function seedOrganization(database: Database, repos: Repositories, name: string, passwordHash: string): Promise<SeededOrganization> {
  const organization = await repos.organizations.create({ name, description: `Seeded organization ${name}` });
  const members = {} as Record<MembershipRole, string>;
  for (const role of ORGANIZATION_ROLES) {
    const user = await repos.users.create({ username: `${name}-${role}`, passwordHash });
    await repos.memberships.upsert(user.id, organization.id, role);
    members[role] = user.username;
  }

  const base = { organizationId: organization.id, description: null };
  const project = await repos.assets.create(assetLevel('project'), { ...base, parentId: null, name: `${name} project` });
  const customer = await repos.assets.create(assetLevel('customer'), { ...base, parentId: project.id, name: `${name} customer` });
  const building = await repos.assets.create(assetLevel('building'), { ...base, parentId: customer.id, name: `${name} building`, address: '1 Main Street' });
  const place = await repos.assets.create(assetLevel('place'), { ...base, parentId: building.id, name: `${name} basement` });
  const meter = await repos.meters.create({
    organizationId: organization.id,
    placeId: place.id,
    serialNumber: `${name}-meter-1`,
    meterType: 'water',
    unit: 'm3',
    layout: meterLayoutSchema.parse(SEED_LAYOUT),
  });
  const device = await registerDevice(database, { deviceId: `${name}-cam-1`, organizationId: organization.id, meterId: meter.id });

  return {
    id: organization.id,
    name,
    members,
    projectId: project.id,
    customerId: customer.id,
    buildingId: building.id,
    placeId: place.id,
    meterSerial: meter.serialNumber,
    meterId: meter.id,
    deviceId: device.deviceId,
    deviceSecret: device.secret,
  };
}
