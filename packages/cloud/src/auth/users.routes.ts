import { createRoute, z } from '@hono/zod-openapi';
import { PLATFORM_ROLES } from '../access/roles.ts';
import type { RouteModule } from '../http/context.ts';
import { HttpError, notFound } from '../http/errors.ts';
import { errorResponses, errorSchema, jsonBody, jsonResponse } from '../http/openapi-schemas.ts';
import { paginationQuery, setTotalCount } from '../http/pagination.ts';
import { rejectAttempt } from '../http/rate-limit.ts';
import type { ApiRouter } from '../http/router.ts';
import { MIN_PASSWORD_LENGTH } from '../organizations/schemas.ts';
import { loginFailureLimiter, passwordChangeFailureKey } from './login-failures.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { toUserJson, userSchema } from './schemas.ts';

const tags = ['Users'];
const userIdParam = z.object({ user_id: z.coerce.number().int().positive().openapi({ param: { name: 'user_id', in: 'path' }, example: 2 }) });

const updateUserSchema = z
  .object({
    platform_role: z.enum(PLATFORM_ROLES),
    is_active: z.boolean().openapi({ description: 'False locks the user out: their tokens stop working at once.' }),
    password: z.string().min(MIN_PASSWORD_LENGTH).max(1024),
    full_name: z.string().max(200).nullable(),
    email: z.string().email().max(320).nullable(),
  })
  .partial()
  .openapi('UserUpdate');

const changePasswordSchema = z
  .object({ current_password: z.string().min(1).max(1024), new_password: z.string().min(MIN_PASSWORD_LENGTH).max(1024) })
  .openapi('PasswordChange');

/** Message of a successful password change. */
export const PASSWORD_CHANGED_MESSAGE = 'Password changed. Every session of this user has ended, this one included: sign in again with the new password.';

const passwordChangedSchema = z.object({ message: z.string() }).openapi('PasswordChanged', { example: { message: PASSWORD_CHANGED_MESSAGE } });

const routes = {
  list: createRoute({
    method: 'get',
    path: '/api/users/',
    tags,
    summary: 'List every user account (super admin and platform manager)',
    request: { query: z.object(paginationQuery) },
    responses: { 200: jsonResponse(z.array(userSchema), 'Users by id'), ...errorResponses },
  }),
  update: createRoute({
    method: 'patch',
    path: '/api/users/{user_id}',
    tags,
    summary: 'Change the platform role, activity, password or profile of a user (super admin)',
    request: { params: userIdParam, body: jsonBody(updateUserSchema) },
    responses: { 200: jsonResponse(userSchema, 'User'), ...errorResponses },
  }),
  changePassword: createRoute({
    method: 'post',
    path: '/users/me/password',
    tags,
    summary: 'Change the password of the current user',
    description: [
      'Ends every session of the user, the calling one included: tokens issued before the change get 401, so the client signs in again with the new password.',
      'Wrong current passwords count in the failed-login limit, per user.',
    ].join(' '),
    request: { body: jsonBody(changePasswordSchema) },
    responses: {
      200: jsonResponse(passwordChangedSchema, 'Changed. Every token of the user issued before now is rejected'),
      ...errorResponses,
      429: jsonResponse(errorSchema, 'Too many wrong current passwords for this user; `Retry-After` gives the seconds to wait'),
    },
  }),
};

function register(router: ApiRouter): void {
  const { users } = router.deps.repos;
  const hashCost = router.deps.options.passwordHashCost;
  const failures = loginFailureLimiter(router.deps);
  const logger = router.deps.logger.child({ module: 'users' });

  router.add(routes.list, async (c) => {
    const page = await users.list(c.req.valid('query'));
    setTotalCount(c, page.total);
    return c.json(page.items.map(toUserJson), 200);
  });

  router.add(routes.update, async (c) => {
    const { user_id: userId } = c.req.valid('param');
    const body = c.req.valid('json');
    if (!(await users.findById(userId))) throw notFound(`User ${userId}`);
    if (userId === c.get('principal').user.id && (body.platform_role !== undefined || body.is_active === false)) {
      throw new HttpError(422, 'A super admin cannot change their own platform role or deactivate themselves: ask another super admin');
    }

    const row = await users.update(userId, {
      platformRole: body.platform_role,
      isActive: body.is_active,
      fullName: body.full_name,
      email: body.email,
      passwordHash: body.password === undefined ? undefined : await hashPassword(body.password, hashCost),
    });
    return c.json(toUserJson(row), 200);
  });

  router.add(routes.changePassword, async (c) => {
    const { user } = c.get('principal');
    const body = c.req.valid('json');
    // A stolen token must not allow unlimited guesses of the password: locked users get 429 before any hashing.
    const key = passwordChangeFailureKey(user.id);
    const decision = failures.check(key);
    if (!decision.allowed) throw rejectAttempt(decision, 'Too many wrong current passwords', logger, { userId: user.id });

    if (!(await verifyPassword(body.current_password, user.passwordHash))) {
      failures.charge(key);
      logger.info({ userId: user.id }, 'password change failed: wrong current password');
      throw new HttpError(422, 'The current password is incorrect');
    }

    failures.reset(key);
    await users.setPassword(user.id, await hashPassword(body.new_password, hashCost));
    logger.info({ userId: user.id }, 'password changed, sessions ended');
    return c.json({ message: PASSWORD_CHANGED_MESSAGE }, 200);
  });
}

export const userRoutes: RouteModule = { name: 'users', register };
