import { z } from '@hono/zod-openapi';
import { MEMBERSHIP_ROLES, PLATFORM_ROLES } from '../access/roles.ts';
import type { UserRow } from './users.repo.ts';
import type { UserMembershipView } from '../organizations/memberships.repo.ts';

export const tokenFormSchema = z
  .object({
    username: z.string().min(1).max(150),
    password: z.string().min(1).max(1024),
    grant_type: z.string().regex(/^password$/, 'must be "password" when given').optional(),
    scope: z.string().optional(),
  })
  .openapi('TokenForm');

export const tokenSchema = z
  .object({ access_token: z.string(), token_type: z.literal('bearer') })
  .openapi('Token', { example: { access_token: 'eyJhbGciOiJIUzI1NiIs…', token_type: 'bearer' } });

export const membershipSummarySchema = z
  .object({ organization_id: z.number().int(), organization_name: z.string(), role: z.enum(MEMBERSHIP_ROLES) })
  .openapi('MembershipSummary');

export const userSchema = z
  .object({
    id: z.number().int(),
    username: z.string(),
    full_name: z.string().nullable(),
    email: z.string().nullable(),
    platform_role: z.enum(PLATFORM_ROLES),
    is_active: z.boolean(),
    created_at: z.string(),
  })
  .openapi('User');

export const profileSchema = userSchema.extend({ memberships: z.array(membershipSummarySchema) }).openapi('Profile');

export function toUserJson(user: UserRow) {
  return {
    id: user.id,
    username: user.username,
    full_name: user.fullName,
    email: user.email,
    platform_role: user.platformRole,
    is_active: user.isActive,
    created_at: user.createdAt.toISOString(),
  };
}

export function toMembershipSummaryJson(membership: UserMembershipView) {
  return { organization_id: membership.organizationId, organization_name: membership.organizationName, role: membership.role };
}
