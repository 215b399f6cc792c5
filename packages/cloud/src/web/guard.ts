import type { MiddlewareHandler } from 'hono';
import { authorize } from '../access/enforce.ts';
import { POLICIES } from '../access/policies.ts';
import type { PolicyRow } from '../access/policy.ts';
import type { Principal } from '../access/principal.ts';
import type { ApiEnv, AppDeps, ResourceResolver } from '../http/context.ts';
import { HttpError } from '../http/errors.ts';
import { loadSession } from './session.ts';

/**
 * The API policy row each dashboard page obeys, by row id, so a page shows exactly what the
 * same user may read through the API. A page about one resource is checked with the row of the
 * API route that reads it. A list page shows the resources of the organizations where that row
 * allows the user's role (see `organizationsAllowedBy`).
 */
export const PAGE_POLICIES = {
  /** Fleet page: cameras, as `GET /api/devices/{device_id}`. */
  camera: 'devices.get',
  /** Meters page and meter page, as `GET /meters/{serial_number}`. */
  meter: 'meters.get',
  /** Reading page, as `GET /meters/{serial_number}/readings`. */
  reading: 'readings.list',
  /** Annotated evidence image, as `GET /meters/{serial_number}/readings/{reading_id}/image`. */
  evidence: 'readings.image',
  /** Installations page and one session, as `GET /api/installations/{session_id}/status`. */
  installation: 'installations.status',
  /** Validation image, as `GET /api/installations/{session_id}/image`. */
  validationImage: 'installations.image',
} as const;

/** Finds a policy row by id; throws at start-up when the table has none, like `ApiRouter.add`. */
export function policyById(id: string): PolicyRow {
  const row = POLICIES.find((candidate) => candidate.id === id);
  if (!row) throw new Error(`No access policy row ${JSON.stringify(id)} for a dashboard page: add it to src/access/policies.ts`);
  return row;
}

/**
 * Organizations whose resources `row` lets the principal read, with the same rules as
 * `authorize`: null (all) for super admins and the row's platform roles, otherwise the
 * memberships whose role the row lists.
 */
export function organizationsAllowedBy(row: PolicyRow, principal: Principal): number[] | null {
  const platformRole = principal.user.platformRole;
  if (platformRole === 'super_admin' || (row.platform ?? []).includes(platformRole)) return null;

  const roles = row.organization ?? [];
  return [...principal.memberships].filter(([, role]) => roles.includes(role)).map(([organizationId]) => organizationId);
}

export interface GuardOptions {
  /** Sends signed-out browsers to the sign-in page; false responds 401 instead (images, event streams). */
  redirect: boolean;
}

/** Requires a dashboard session and sets `principal`. */
export function requireSession(deps: AppDeps, options: GuardOptions): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const principal = await loadSession(c, deps);
    if (!principal) {
      if (!options.redirect) throw new HttpError(401, 'Sign in to the dashboard first');
      const url = new URL(c.req.url);
      return c.redirect(`/login?next=${encodeURIComponent(url.pathname + url.search)}`, 303);
    }

    c.set('principal', principal);
    await next();
  };
}

/**
 * Requires a dashboard session, then checks `row` with the API's `authorize`, which sets
 * `organizationId` and `membershipRole`. A resource of another organization gets 404, as in
 * the API.
 */
export function requireResource(row: PolicyRow, deps: AppDeps, resolvers: Map<string, ResourceResolver>, options: GuardOptions): MiddlewareHandler<ApiEnv> {
  const session = requireSession(deps, options);
  return (c, next) =>
    session(c, async () => {
      await authorize(row, c, resolvers);
      await next();
    });
}

/** C0 control characters and DEL. Browsers drop tabs and newlines from URLs, so `/\t/host` becomes `//host`. */
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/**
 * Keeps the redirect after sign-in on this site. Accepts only a path that starts with a single
 * `/`, contains no backslash (browsers read `\` as `/`) and no control character, and resolves
 * against `siteUrl` to the same origin. Returns the resolved path, query and fragment,
 * percent-encoded, or `/` for anything else.
 *
 * @example
 * safeNextPath('/ui/meters/X?y=1', 'https://cloud.example/login'); // '/ui/meters/X?y=1'
 * safeNextPath('/\t/evil.example/', 'https://cloud.example/login'); // '/'
 */
export function safeNextPath(next: string | undefined, siteUrl: string): string {
  if (!next || !next.startsWith('/') || next.startsWith('//')) return '/';
  if (next.includes('\\') || CONTROL_CHARACTER.test(next)) return '/';

  const site = new URL(siteUrl);
  const target = new URL(next, site);
  if (target.origin !== site.origin) return '/';

  // Dot segments collapse while parsing (`/.//host` becomes `//host`), so the result is checked
  // again: a Location starting with `//` would send the browser to another host.
  const path = target.pathname + target.search + target.hash;
  return path.startsWith('//') ? '/' : path;
}
