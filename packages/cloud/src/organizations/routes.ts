import { createRoute, z } from '@hono/zod-openapi';
import type { Principal } from '../access/principal.ts';
import { hashPassword } from '../auth/passwords.ts';
import type { RouteModule } from '../http/context.ts';
import { HttpError, notFound } from '../http/errors.ts';
import { conflictResponse, errorResponses, jsonBody, jsonResponse } from '../http/openapi-schemas.ts';
import { paginationQuery, setTotalCount } from '../http/pagination.ts';
import type { ApiRouter } from '../http/router.ts';
import type { Repositories } from '../repositories.ts';
import {
  assignUserSchema,
  createOrganizationSchema,
  memberSchema,
  myOrganizationSchema,
  organizationIdParam,
  organizationSchema,
  toMemberJson,
  toOrganizationJson,
} from './schemas.ts';

const tags = ['Organizations'];

const routes = {
  create: createRoute({
    method: 'post',
    path: '/api/organizations/',
    tags,
    summary: 'Create an organization (super admin)',
    request: { body: jsonBody(createOrganizationSchema) },
    responses: { 201: jsonResponse(organizationSchema, 'Created'), 409: conflictResponse, ...errorResponses },
  }),
  list: createRoute({
    method: 'get',
    path: '/api/organizations/',
    tags,
    summary: 'List all organizations (platform manager and super admin)',
    request: { query: z.object(paginationQuery) },
    responses: { 200: jsonResponse(z.array(organizationSchema), 'Organizations by id'), ...errorResponses },
  }),
  mine: createRoute({
    method: 'get',
    path: '/api/organizations/my-organizations',
    tags,
    summary: 'List the organizations the current user belongs to',
    request: { query: z.object(paginationQuery) },
    responses: { 200: jsonResponse(z.array(myOrganizationSchema), 'Organizations with the caller role'), ...errorResponses },
  }),
  get: createRoute({
    method: 'get',
    path: '/api/organizations/{org_id}',
    tags,
    summary: 'Get an organization',
    request: { params: organizationIdParam },
    responses: { 200: jsonResponse(organizationSchema, 'Organization'), ...errorResponses },
  }),
  assign: createRoute({
    method: 'post',
    path: '/api/organizations/{org_id}/users',
    tags,
    summary: 'Assign a user to the organization with a role, creating the user when a username is given',
    description: [
      '`user_id` adds an existing user or changes the role of a member. A super admin may name any user.',
      'An organization admin may name only a user who already belongs to an organization that admin administers,',
      'for example a colleague moving between them. Any other id gets 404 `User <id> not found`, the same',
      'response as an id that does not exist, so ids of other tenants reveal nothing.',
      '`username` and `password` create a new user. Usernames are unique across the platform, so a taken one gets 409.',
    ].join(' '),
    request: { params: organizationIdParam, body: jsonBody(assignUserSchema) },
    responses: {
      200: jsonResponse(memberSchema, 'Role of an existing member changed'),
      201: jsonResponse(memberSchema, 'Member added'),
      409: conflictResponse,
      ...errorResponses,
    },
  }),
  members: createRoute({
    method: 'get',
    path: '/api/organizations/{org_id}/users',
    tags,
    summary: 'List the members of an organization',
    request: { params: organizationIdParam, query: z.object(paginationQuery) },
    responses: { 200: jsonResponse(z.array(memberSchema), 'Members by user id'), ...errorResponses },
  }),
  remove: createRoute({
    method: 'delete',
    path: '/api/organizations/{org_id}/users/{user_id}',
    tags,
    summary: 'Remove a user from an organization',
    request: {
      params: organizationIdParam.extend({
        user_id: z.coerce.number().int().positive().openapi({ param: { name: 'user_id', in: 'path' }, example: 2 }),
      }),
    },
    responses: { 204: { description: 'Removed' }, ...errorResponses },
  }),
};

function register(router: ApiRouter): void {
  const { deps } = router;
  const { organizations, memberships } = deps.repos;

  router.add(routes.create, async (c) => {
    const row = await organizations.create(c.req.valid('json'));
    return c.json(toOrganizationJson(row), 201);
  });

  router.add(routes.list, async (c) => {
    const page = await organizations.list(null, c.req.valid('query'));
    setTotalCount(c, page.total);
    return c.json(page.items.map(toOrganizationJson), 200);
  });

  router.add(routes.mine, async (c) => {
    const principal = c.get('principal');
    const page = await organizations.list([...principal.memberships.keys()], c.req.valid('query'));
    setTotalCount(c, page.total);
    return c.json(page.items.map((row) => ({ ...toOrganizationJson(row), role: principal.memberships.get(row.id) ?? null })), 200);
  });

  router.add(routes.get, async (c) => {
    const row = await organizations.findById(c.req.valid('param').org_id);
    if (!row) throw notFound('Organization');
    return c.json(toOrganizationJson(row), 200);
  });

  router.add(routes.assign, async (c) => {
    const organizationId = c.req.valid('param').org_id;
    const body = c.req.valid('json');
    if (!(await organizations.findById(organizationId))) throw notFound('Organization');

    const result = await assignMember(router, c.get('principal'), organizationId, body);
    const member = await memberships.findMember(organizationId, result.userId);
    return c.json(toMemberJson(organizationId, member!), result.created ? 201 : 200);
  });

  router.add(routes.members, async (c) => {
    const organizationId = c.req.valid('param').org_id;
    if (!(await organizations.findById(organizationId))) throw notFound('Organization');

    const page = await memberships.listMembers(organizationId, c.req.valid('query'));
    setTotalCount(c, page.total);
    return c.json(page.items.map((member) => toMemberJson(organizationId, member)), 200);
  });

  router.add(routes.remove, async (c) => {
    const { org_id: organizationId, user_id: userId } = c.req.valid('param');
    if (!(await memberships.remove(userId, organizationId))) throw notFound(`User ${userId} in organization ${organizationId}`);
    return c.body(null, 204);
  });

}

/**
 * Tells whether `principal` may add the existing user `userId` to an organization. A super admin
 * may add any user. Anyone else may add only a member of an organization they administer, and
 * learns nothing about other users: an unknown id and a foreign one both return false.
 */
async function mayAddExistingUser(repos: Repositories, principal: Principal, userId: number): Promise<boolean> {
  if (principal.user.platformRole === 'super_admin') return (await repos.users.findById(userId)) !== null;
  // A viewer elsewhere may not list that organization's members, so may not pull them in either.
  const administered = [...principal.memberships].filter(([, role]) => role === 'admin').map(([organizationId]) => organizationId);
  return repos.memberships.isMemberOfAny(userId, administered);
}

/** Adds an existing user, or creates one, as a member; returns whether a membership was created. */
async function assignMember(
  router: ApiRouter,
  principal: Principal,
  organizationId: number,
  body: { user_id?: number; username?: string; password?: string; full_name?: string | null; email?: string | null; role: 'admin' | 'manager' | 'installer' | 'viewer' },
): Promise<{ userId: number; created: boolean }> {
  const { users, memberships } = router.deps.repos;

  if (body.user_id !== undefined) {
    if (!(await mayAddExistingUser(router.deps.repos, principal, body.user_id))) throw notFound(`User ${body.user_id}`);
    const { created } = await memberships.upsert(body.user_id, organizationId, body.role);
    return { userId: body.user_id, created };
  }

  // Hash before the transaction: it takes a fraction of a second and holds no database lock.
  const passwordHash = await hashPassword(body.password!, router.deps.options.passwordHashCost);
  const created = router.deps.database.transaction(async (tx) => {
    const user = await users.create({ username: body.username!, passwordHash, fullName: body.full_name ?? null, email: body.email ?? null }, tx);
    await memberships.upsert(user.id, organizationId, body.role, tx);
    return { userId: user.id, created: true };
  });
  return created.catch((error: unknown) => {
    if (error instanceof HttpError && error.status === 409) {
      throw new HttpError(409, `${error.detail}: to add an existing user, send user_id instead`, { cause: error });
    }
    throw error;
  });
}

export const organizationRoutes: RouteModule = { name: 'organizations', register };
