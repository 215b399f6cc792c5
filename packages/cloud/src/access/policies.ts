import { ASSET_WRITERS, MEMBER_ADMINS, READERS, READINGS_WRITERS, type PolicyRow } from './policy.ts';
import type { MembershipRole } from './roles.ts';

const ORG_PARAM = { kind: 'organization', from: 'param', field: 'org_id' } as const;
const ORG_BODY = { kind: 'organization', from: 'body', field: 'organization_id' } as const;
const meterParam = { kind: 'resource', resource: 'meter', from: 'param', field: 'serial_number' } as const;
const deviceParam = { kind: 'resource', resource: 'device', from: 'param', field: 'device_id' } as const;
const installationParam = { kind: 'resource', resource: 'installation', from: 'param', field: 'session_id' } as const;
/** Members who install cameras: start, validate, complete and revoke installation sessions. */
const INSTALLERS: MembershipRole[] = ['admin', 'manager', 'installer'];

/** Create, list and get rows of one asset level (projects, customers, buildings, places). */
function assetLevel(plural: string, resource: string, idParam: string): PolicyRow[] {
  return [
    { id: `${plural}.create`, method: 'post', path: `/${plural}/`, summary: `Create a ${resource}`, source: ORG_BODY, organization: ASSET_WRITERS },
    { id: `${plural}.list`, method: 'get', path: `/${plural}/`, summary: `List ${plural} of the caller's organizations`, source: { kind: 'user' } },
    {
      id: `${plural}.get`,
      method: 'get',
      path: `/${plural}/{${idParam}}`,
      summary: `Get a ${resource}`,
      source: { kind: 'resource', resource, from: 'param', field: idParam },
      platform: ['platform_manager'],
      organization: READERS,
    },
  ];
}

/**
 * Access policy of every route, the single place where roles are enforced. A route without a
 * row here cannot be registered. `docs/api.md` contains the matrix rendered from this table.
 */
export const POLICIES: PolicyRow[] = [
  { id: 'health', method: 'get', path: '/healthz', summary: 'Liveness and database check', source: { kind: 'public' } },
  { id: 'auth.token', method: 'post', path: '/token', summary: 'Log in (OAuth2 password form)', source: { kind: 'public' } },
  { id: 'users.me', method: 'get', path: '/users/me', summary: 'Current user with memberships', source: { kind: 'user' } },
  { id: 'users.me.password', method: 'post', path: '/users/me/password', summary: 'Change own password', source: { kind: 'user' } },
  { id: 'users.list', method: 'get', path: '/api/users/', summary: 'List all users', source: { kind: 'platform' }, platform: ['platform_manager'] },
  { id: 'users.update', method: 'patch', path: '/api/users/{user_id}', summary: 'Change the platform role, activity or password of a user', source: { kind: 'platform' } },

  { id: 'organizations.create', method: 'post', path: '/api/organizations/', summary: 'Create an organization', source: { kind: 'platform' } },
  {
    id: 'organizations.list',
    method: 'get',
    path: '/api/organizations/',
    summary: 'List all organizations',
    source: { kind: 'platform' },
    platform: ['platform_manager'],
  },
  {
    id: 'organizations.mine',
    method: 'get',
    path: '/api/organizations/my-organizations',
    summary: "List the caller's organizations",
    source: { kind: 'user' },
  },
  {
    id: 'organizations.get',
    method: 'get',
    path: '/api/organizations/{org_id}',
    summary: 'Get an organization',
    source: ORG_PARAM,
    platform: ['platform_manager'],
    organization: READERS,
  },
  {
    id: 'organizations.users.assign',
    method: 'post',
    path: '/api/organizations/{org_id}/users',
    summary: 'Add a user (existing or new) or change their role',
    source: ORG_PARAM,
    organization: MEMBER_ADMINS,
    note:
      "By `user_id`, a super admin may add any user, and an organization admin only a user who already belongs to an organization that admin administers. " +
      'Any other id gets the same 404 `User <id> not found` as an id that does not exist.',
  },
  {
    id: 'organizations.users.list',
    method: 'get',
    path: '/api/organizations/{org_id}/users',
    summary: 'List members',
    source: ORG_PARAM,
    platform: ['platform_manager'],
    organization: ['admin', 'manager'],
  },
  {
    id: 'organizations.users.remove',
    method: 'delete',
    path: '/api/organizations/{org_id}/users/{user_id}',
    summary: 'Remove a member',
    source: ORG_PARAM,
    organization: MEMBER_ADMINS,
  },

  ...assetLevel('projects', 'project', 'project_id'),
  ...assetLevel('customers', 'customer', 'customer_id'),
  ...assetLevel('buildings', 'building', 'building_id'),
  ...assetLevel('places', 'place', 'place_id'),

  { id: 'meters.create', method: 'post', path: '/meters/', summary: 'Create a meter', source: ORG_BODY, organization: ASSET_WRITERS },
  { id: 'meters.list', method: 'get', path: '/meters_list/', summary: "List meters of the caller's organizations", source: { kind: 'user' } },
  {
    id: 'meters.get',
    method: 'get',
    path: '/meters/{serial_number}',
    summary: 'Get a meter with its latest reading',
    source: meterParam,
    platform: ['platform_manager'],
    organization: READERS,
  },
  {
    id: 'meters.update',
    method: 'patch',
    path: '/meters/{serial_number}',
    summary: 'Change a meter (layout, plausibility rules, name, status)',
    source: meterParam,
    organization: ASSET_WRITERS,
  },
  {
    id: 'readings.upload',
    method: 'post',
    path: '/meters/{serial_number}/reading',
    summary: 'Upload a meter photo for the server to read',
    source: meterParam,
    organization: READINGS_WRITERS,
  },
  {
    id: 'readings.list',
    method: 'get',
    path: '/meters/{serial_number}/readings',
    summary: 'List readings, newest first',
    source: meterParam,
    platform: ['platform_manager'],
    organization: READERS,
  },
  {
    id: 'readings.image',
    method: 'get',
    path: '/meters/{serial_number}/readings/{reading_id}/image',
    summary: 'Get the image evidence of a reading',
    source: meterParam,
    platform: ['platform_manager'],
    organization: READERS,
  },

  {
    id: 'devices.create',
    method: 'post',
    path: '/api/devices/',
    summary: 'Register a device for a meter and issue its credentials',
    source: { kind: 'resource', resource: 'meter', from: 'body', field: 'meter_serial' },
    organization: ASSET_WRITERS,
  },
  { id: 'devices.list', method: 'get', path: '/api/devices/', summary: "List devices of the caller's organizations", source: { kind: 'user' } },
  {
    id: 'devices.get',
    method: 'get',
    path: '/api/devices/{device_id}',
    summary: 'Get a device with its health',
    source: deviceParam,
    platform: ['platform_manager'],
    organization: READERS,
  },
  {
    id: 'devices.unassigned_readings.list',
    method: 'get',
    path: '/api/devices/{device_id}/unassigned-readings',
    summary: 'List readings the device sent while bound to no meter',
    source: deviceParam,
    platform: ['platform_manager'],
    organization: READERS,
  },
  {
    id: 'devices.unassigned_readings.image',
    method: 'get',
    path: '/api/devices/{device_id}/unassigned-readings/{reading_id}/image',
    summary: 'Get the image evidence of an unassigned reading',
    source: deviceParam,
    platform: ['platform_manager'],
    organization: READERS,
  },
  {
    id: 'devices.credentials.rotate',
    method: 'post',
    path: '/api/devices/{device_id}/credentials',
    summary: 'Issue a new device secret (the old one stops working)',
    source: deviceParam,
    organization: ASSET_WRITERS,
  },
  {
    id: 'devices.credentials.revoke',
    method: 'delete',
    path: '/api/devices/{device_id}/credentials',
    summary: 'Revoke device credentials',
    source: deviceParam,
    organization: ASSET_WRITERS,
  },

  {
    id: 'installations.start',
    method: 'post',
    path: '/api/installations/start',
    summary: 'Start an installation session for a meter and a camera',
    source: { kind: 'resource', resource: 'meter', from: 'body', field: 'meter_serial' },
    organization: INSTALLERS,
  },
  { id: 'installations.pair', method: 'post', path: '/api/installations/pair', summary: 'Redeem a pairing code (the code is the credential)', source: { kind: 'public' } },
  {
    id: 'installations.heartbeat',
    method: 'post',
    path: '/api/installations/cameras/heartbeat',
    summary: 'Camera heartbeat over HTTP',
    source: { kind: 'device' },
  },
  {
    id: 'installations.validate',
    method: 'post',
    path: '/api/installations/{session_id}/validate',
    summary: 'Run the installation validation',
    source: installationParam,
    organization: INSTALLERS,
  },
  {
    id: 'installations.status',
    method: 'get',
    path: '/api/installations/{session_id}/status',
    summary: 'Get an installation session with its checks and events',
    source: installationParam,
    platform: ['platform_manager'],
    organization: READERS,
  },
  {
    id: 'installations.complete',
    method: 'post',
    path: '/api/installations/{session_id}/complete',
    summary: 'Complete an installation session',
    source: installationParam,
    organization: INSTALLERS,
  },
  {
    id: 'installations.revoke',
    method: 'post',
    path: '/api/installations/{session_id}/revoke',
    summary: "Revoke the credentials of an installation session's camera",
    source: installationParam,
    organization: INSTALLERS,
  },
  {
    id: 'installations.image',
    method: 'get',
    path: '/api/installations/{session_id}/image',
    summary: "Get the image of an installation session's latest validation",
    source: installationParam,
    platform: ['platform_manager'],
    organization: READERS,
  },
];

/** Finds the policy row of a route; undefined when the route has none. */
export function findPolicy(method: string, path: string): PolicyRow | undefined {
  return POLICIES.find((row) => row.method === method.toLowerCase() && row.path === path);
}
