import { createRoute } from '@hono/zod-openapi';
import type { RouteModule } from '../http/context.ts';
import { HttpError } from '../http/errors.ts';
import { errorResponses, errorSchema, jsonResponse } from '../http/openapi-schemas.ts';
import { clientAddress, rejectAttempt } from '../http/rate-limit.ts';
import type { ApiRouter } from '../http/router.ts';
import { checkLoginAttempt, recordLoginFailure, recordLoginSuccess } from './login-failures.ts';
import { PasswordLogin } from './login.ts';
import { profileSchema, tokenFormSchema, tokenSchema, toMembershipSummaryJson, toUserJson } from './schemas.ts';
import { signAccessToken } from './tokens.ts';

const tokenRoute = createRoute({
  method: 'post',
  path: '/token',
  tags: ['Authentication'],
  summary: 'Log in with the OAuth2 password form',
  request: {
    body: {
      content: {
        'application/x-www-form-urlencoded': { schema: tokenFormSchema },
        'multipart/form-data': { schema: tokenFormSchema },
      },
      required: true,
    },
  },
  responses: {
    200: jsonResponse(tokenSchema, 'Access token'),
    401: errorResponses[401],
    422: errorResponses[422],
    429: jsonResponse(errorSchema, 'Too many failed logins for this username from this address; `Retry-After` gives the seconds to wait'),
  },
});

const meRoute = createRoute({
  method: 'get',
  path: '/users/me',
  tags: ['Authentication'],
  summary: 'Current user with platform role and memberships',
  responses: { 200: jsonResponse(profileSchema, 'Profile'), 401: errorResponses[401] },
});

function register(router: ApiRouter): void {
  const { deps } = router;
  const login = new PasswordLogin(deps.repos.users, deps.options.passwordHashCost);
  const logger = deps.logger.child({ module: 'auth' });

  router.add(tokenRoute, async (c) => {
    const form = c.req.valid('form');
    const address = clientAddress(c, deps.options.trustedProxyHops);
    // Brute-force protection: only failures spend tokens, and a throttled attempt costs no hash.
    const decision = checkLoginAttempt(deps, form.username, address);
    if (!decision.allowed) throw rejectAttempt(decision, 'Too many failed logins', logger, { username: form.username, address });

    const user = await login.check(form.username, form.password);
    if (!user) {
      recordLoginFailure(deps, form.username, address);
      logger.info({ username: form.username, address }, 'login failed');
      throw new HttpError(401, 'Incorrect username or password', { headers: { 'WWW-Authenticate': 'Bearer' } });
    }

    recordLoginSuccess(deps, form.username, address);
    const token = await signAccessToken(deps.tokens, user.id, user.username);
    return c.json({ access_token: token, token_type: 'bearer' as const }, 200);
  });

  router.add(meRoute, async (c) => {
    const { user } = c.get('principal');
    const memberships = await deps.repos.memberships.listForUser(user.id);
    return c.json({ ...toUserJson(user), memberships: memberships.map(toMembershipSummaryJson) }, 200);
  });
}

export const authRoutes: RouteModule = { name: 'auth', register };
