import type { PolicyRow } from './policy.ts';
import type { MembershipRole, PlatformRole } from './roles.ts';

/** Joins role names as English prose: `admin`, `admin or manager`, `admin, manager or installer`. */
export function formatRoles(roles: readonly string[]): string {
  if (roles.length <= 1) return roles[0] ?? 'none';
  return `${roles.slice(0, -1).join(', ')} or ${roles.at(-1)}`;
}

/** Lowercases the first letter of the policy summary, so "Create a project" fits after "cannot". */
function action(row: PolicyRow): string {
  return row.summary.charAt(0).toLowerCase() + row.summary.slice(1);
}

/** Builds the 403 message for a member whose role in the organization does not allow the route. */
export function membershipDenial(row: PolicyRow, role: MembershipRole, organizationId: number): string {
  const needed = formatRoles(row.organization ?? []);
  return `Your role ${role} in organization ${organizationId} cannot ${action(row)}: that needs ${needed}.`;
}

/** Builds the 403 message for a platform-wide route the caller's platform role does not allow. Super admin is always allowed. */
export function platformDenial(row: PolicyRow, platformRole: PlatformRole): string {
  const needed = formatRoles([...(row.platform ?? []), 'super_admin']);
  return `Your platform role ${platformRole} cannot ${action(row)}: that needs the platform role ${needed}.`;
}
