import type { Context, MiddlewareHandler } from 'hono';
import type { AppDeps, ApiEnv, ResourceResolver } from '../http/context.ts';
import { HttpError, forbidden, notFound } from '../http/errors.ts';
import { authenticateAccessToken } from '../auth/authenticate.ts';
import { InvalidTokenError } from '../auth/tokens.ts';
import { verifyDeviceCredentials } from '../devices/credentials.ts';
import { membershipDenial, platformDenial } from './denial.ts';
import type { PolicyRow } from './policy.ts';
import type { Principal } from './principal.ts';

const BEARER_CHALLENGE = { 'WWW-Authenticate': 'Bearer' };
// Each message starts with FastAPI's wording, so clients that match on it keep working.
const NOT_AUTHENTICATED = 'Not authenticated: sign in with POST /token and send the access token as "Authorization: Bearer <token>"';
const INVALID_TOKEN = 'Could not validate credentials: the token is invalid or expired; sign in again with POST /token';

/**
 * Authenticates `Authorization: Bearer <JWT>` and loads the user with their memberships. A token
 * issued before the user's last password change or deactivation gets 401, and so does a revoked
 * token, such as the session token of a signed-out dashboard user.
 */
export function authenticateUser(deps: AppDeps): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new HttpError(401, NOT_AUTHENTICATED, { headers: BEARER_CHALLENGE });

    const user = await authenticateAccessToken(deps.tokens, deps.repos, match[1]!).catch((error: unknown) => {
      if (error instanceof InvalidTokenError) {
        throw new HttpError(401, INVALID_TOKEN, { headers: BEARER_CHALLENGE, cause: error });
      }
      throw error;
    });

    const memberships = await deps.repos.memberships.listForUser(user.id);
    const principal: Principal = { user, memberships: new Map(memberships.map((m) => [m.organizationId, m.role])) };
    c.set('principal', principal);
    await next();
  };
}

/** Authenticates a device with HTTP Basic: user = device id, password = device secret. */
export function authenticateDevice(deps: AppDeps): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const challenge = { 'WWW-Authenticate': 'Basic realm="metervision-devices"' };
    const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(c.req.header('authorization') ?? '');
    if (!match) throw new HttpError(401, 'Device credentials required', { headers: challenge });

    const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const device =
      colon > 0 ? await verifyDeviceCredentials(deps.database, decoded.slice(0, colon), decoded.slice(colon + 1)) : null;
    if (!device) throw new HttpError(401, 'Invalid device credentials', { headers: challenge });

    c.set('device', device);
    await next();
  };
}

/** Returns the authentication middleware a policy row needs: none for public routes. */
export function authenticationFor(row: PolicyRow, deps: AppDeps): MiddlewareHandler<ApiEnv>[] {
  if (row.source.kind === 'public') return [];
  if (row.source.kind === 'device') return [authenticateDevice(deps)];
  return [authenticateUser(deps)];
}

function readField(c: Context<ApiEnv>, from: 'param' | 'body' | 'query', field: string): unknown {
  const request = c.req as unknown as { valid: (target: string) => Record<string, unknown> | undefined };
  if (from === 'param') return c.req.param(field);
  if (from === 'query') return request.valid('query')?.[field] ?? c.req.query(field);

  const contentType = c.req.header('content-type') ?? '';
  const target = contentType.includes('json') ? 'json' : 'form';
  return request.valid(target)?.[field];
}

/**
 * Checks the policy row against the authenticated caller, after request validation. Sets
 * `organizationId` and `membershipRole` for organization and resource routes.
 *
 * A resource the caller may not see, or an organization in the path they do not belong to, gets
 * 404 so it is never revealed. A member whose role is too low gets 403.
 */
export async function authorize(row: PolicyRow, c: Context<ApiEnv>, resolvers: Map<string, ResourceResolver>): Promise<void> {
  const source = row.source;
  if (source.kind === 'public' || source.kind === 'device' || source.kind === 'user') return;

  const principal = c.get('principal');
  const platformRole = principal.user.platformRole;
  const platformAllowed = platformRole === 'super_admin' || (row.platform ?? []).includes(platformRole);

  if (source.kind === 'platform') {
    if (!platformAllowed) throw forbidden(platformDenial(row, platformRole));
    return;
  }

  const raw = readField(c, source.from, source.field);
  const organizationId = await resolveOrganization(source, raw, resolvers);
  const hidden = source.kind === 'resource' || source.from === 'param';
  if (organizationId === null) throw notFound(source.kind === 'resource' ? capitalize(source.resource) : 'Organization');

  const role = principal.memberships.get(organizationId) ?? null;
  c.set('organizationId', organizationId);
  c.set('membershipRole', platformAllowed ? null : role);
  if (platformAllowed) return;

  if (role === null) {
    if (hidden) throw notFound(source.kind === 'resource' ? capitalize(source.resource) : 'Organization');
    throw forbidden(`The current user is not a member of organization ${organizationId}`);
  }
  if (!(row.organization ?? []).includes(role)) {
    throw forbidden(membershipDenial(row, role, organizationId));
  }
}

async function resolveOrganization(
  source: Extract<PolicyRow['source'], { kind: 'organization' | 'resource' }>,
  raw: unknown,
  resolvers: Map<string, ResourceResolver>,
): Promise<number | null> {
  if (raw === undefined || raw === null || raw === '') {
    throw new HttpError(422, `Missing ${source.field}: it names what this request acts on`);
  }

  if (source.kind === 'organization') {
    const id = Number(raw);
    return Number.isSafeInteger(id) && id > 0 ? id : null;
  }

  const resolver = resolvers.get(source.resource);
  if (!resolver) throw new Error(`No resolver registered for resource ${JSON.stringify(source.resource)}`);
  return resolver(String(raw));
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
