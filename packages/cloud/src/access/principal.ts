import type { UserRow } from '../auth/users.repo.ts';
import type { MembershipRole } from './roles.ts';

/** The authenticated user of a request with their memberships. */
export interface Principal {
  user: UserRow;
  /** Role per organization id. */
  memberships: Map<number, MembershipRole>;
}

/** Platform roles that read every organization. */
const PLATFORM_READERS = new Set(['super_admin', 'platform_manager']);

/**
 * Organizations whose data the principal may read: null means all of them (super admin and
 * platform manager), otherwise the ids of their memberships.
 */
export function readableOrganizations(principal: Principal): number[] | null {
  if (PLATFORM_READERS.has(principal.user.platformRole)) return null;
  return [...principal.memberships.keys()];
}

/**
 * Narrows a list to one organization when the caller asked for it. Returns the ids to filter
 * on: an empty list when the caller may not read that organization, so it sees nothing.
 */
export function listScope(principal: Principal, organizationId: number | undefined): number[] | null {
  const readable = readableOrganizations(principal);
  if (organizationId === undefined) return readable;
  if (readable === null || readable.includes(organizationId)) return [organizationId];
  return [];
}
