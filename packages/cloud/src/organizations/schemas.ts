import { z } from '@hono/zod-openapi';
import { MEMBERSHIP_ROLES } from '../access/roles.ts';
import type { MemberView } from './memberships.repo.ts';
import type { OrganizationRow } from './organizations.repo.ts';

export const organizationIdParam = z.object({
  org_id: z.coerce.number().int().positive().openapi({ param: { name: 'org_id', in: 'path' }, example: 1 }),
});

export const createOrganizationSchema = z
  .object({ name: z.string().trim().min(1).max(200), description: z.string().max(2000).nullish() })
  .openapi('OrganizationCreate');

export const organizationSchema = z
  .object({ id: z.number().int(), name: z.string(), description: z.string().nullable(), created_at: z.string() })
  .openapi('Organization');

export const myOrganizationSchema = organizationSchema.extend({ role: z.enum(MEMBERSHIP_ROLES).nullable() }).openapi('MyOrganization');

/** Minimum length of a password set through the API. */
export const MIN_PASSWORD_LENGTH = 8;

export const assignUserSchema = z
  .object({
    user_id: z
      .number()
      .int()
      .positive()
      .optional()
      .openapi({ description: "An existing user: any user for a super admin, else a member of one of the caller's organizations." }),
    username: z.string().trim().min(1).max(150).optional().openapi({ description: 'A new user to create, with `password`.' }),
    password: z.string().min(MIN_PASSWORD_LENGTH).max(1024).optional(),
    full_name: z.string().max(200).nullish(),
    email: z.string().email().max(320).nullish(),
    role: z.enum(MEMBERSHIP_ROLES),
  })
  .refine((body) => (body.user_id === undefined) !== (body.username === undefined), {
    message: 'give either user_id (an existing user) or username and password (a new user)',
    path: ['user_id'],
  })
  .refine((body) => body.username === undefined || body.password !== undefined, {
    message: 'a new user needs a password',
    path: ['password'],
  })
  .openapi('MembershipAssign');

export const memberSchema = z
  .object({
    user_id: z.number().int(),
    organization_id: z.number().int(),
    username: z.string(),
    full_name: z.string().nullable(),
    email: z.string().nullable(),
    role: z.enum(MEMBERSHIP_ROLES),
    joined_at: z.string(),
  })
  .openapi('Member');

export function toOrganizationJson(row: OrganizationRow) {
  return { id: row.id, name: row.name, description: row.description, created_at: row.createdAt.toISOString() };
}

export function toMemberJson(organizationId: number, member: MemberView) {
  return {
    user_id: member.userId,
    organization_id: organizationId,
    username: member.username,
    full_name: member.fullName,
    email: member.email,
    role: member.role,
    joined_at: member.joinedAt.toISOString(),
  };
}
