import type { MiddlewareHandler } from 'hono';
import { authorize } from '../access/enforce.ts';
import { POLICIES } from '../access/policies.ts';
import type { PolicyRow } from '../access/policy.ts';
import type { ApiEnv, AppDeps, ResourceResolver } from '../http/context.ts';
import { HttpError } from '../http/errors.ts';
import { loadSession } from './session.ts';

/**
 * The API policy row each dashboard page obeys, by row id, so a page shows exactly what the same
 * user may read through the API: a meter page follows `GET /meters/{serial_number}`, the fleet
 * follows `GET /api/devices/`, and so on.
 */
export const PAGE_POLICIES = {
  fleet: 'devices.list',
  meters: 'meters.list',
  meter: 'meters.get',
  evidence: 'readings.image',
} as const;

/** Finds a policy row by id; throws at start-up when the table has none, like `ApiRouter.add`. */
export function policyById(id: string): PolicyRow {
  const row = POLICIES.find((candidate) => candidate.id === id);
  if (!row) throw new Error(`No access policy row ${JSON.stringify(id)} for a dashboard page: add it to src/access/policies.ts`);
  return row;
}

export interface GuardOptions {
  /** Sends signed-out browsers to the sign-in page; false answers 401 (scripts, images, event streams). */
  redirect: boolean;
}

/**
 * Requires a dashboard session and checks `row` with the API's `authorize`, which sets
 * `principal`, `organizationId` and `membershipRole`. A resource of another organization is
 * answered 404, as the API does.
 */
export function requirePage(row: PolicyRow, deps: AppDeps, resolvers: Map<string, ResourceResolver>, options: GuardOptions): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const principal = await loadSession(c, deps);
    if (!principal) {
      if (!options.redirect) throw new HttpError(401, 'Sign in to the dashboard first');
      const url = new URL(c.req.url);
      return c.redirect(`/login?next=${encodeURIComponent(url.pathname + url.search)}`, 303);
    }

    c.set('principal', principal);
    await authorize(row, c, resolvers);
    await next();
  };
}

/** Keeps a post-sign-in redirect on this site: only a local absolute path is accepted. */
export function safeNextPath(next: string | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  return next;
}
