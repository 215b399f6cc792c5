import type { MembershipRole, PlatformRole } from './roles.ts';

/**
 * How a route finds the organization a request acts on.
 *
 * - `public`: no authentication.
 * - `device`: HTTP Basic with device credentials (device id and secret).
 * - `user`: any authenticated user; lists filter their rows to the caller's organizations.
 * - `platform`: only the platform roles listed in `platform` (plus super admin).
 * - `organization`: the organization id is in the path (`param`), body or query `field`.
 * - `resource`: a resource named in `field` (path, body or query) belongs to an organization;
 *   `resource` names the resolver that finds it. A missing resource gets 404.
 */
export type OrganizationSource =
  | { kind: 'public' }
  | { kind: 'device' }
  | { kind: 'user' }
  | { kind: 'platform' }
  | { kind: 'organization'; from: 'param' | 'body' | 'query'; field: string }
  | { kind: 'resource'; resource: string; from: 'param' | 'body' | 'query'; field: string };

/** One row of the access policy: who may call one route. */
export interface PolicyRow {
  /** Stable id, for logs and the docs. */
  id: string;
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** OpenAPI path, with `{param}` placeholders, exactly as the route declares it. */
  path: string;
  summary: string;
  source: OrganizationSource;
  /**
   * Platform roles allowed whatever their memberships. Super admin is always allowed and need
   * not be listed; platform manager is listed on routes that only read.
   */
  platform?: PlatformRole[];
  /** Membership roles allowed in the organization the request acts on. */
  organization?: MembershipRole[];
  /** A rule the route enforces beyond the roles, listed under the matrix in `docs/api.md`. */
  note?: string;
}

export const READERS: MembershipRole[] = ['admin', 'manager', 'installer', 'viewer'];
export const ASSET_WRITERS: MembershipRole[] = ['admin', 'manager'];
export const READINGS_WRITERS: MembershipRole[] = ['admin', 'manager', 'installer'];
export const MEMBER_ADMINS: MembershipRole[] = ['admin'];
