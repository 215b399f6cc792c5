import type { RouteConfig, RouteHandler } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { authenticationFor, authorize } from '../access/enforce.ts';
import { findPolicy } from '../access/policies.ts';
import type { PolicyRow } from '../access/policy.ts';
import type { ApiApp, ApiEnv, AppDeps, ResourceResolver } from './context.ts';
import { mediaTypeAdvice } from './media-type-advice.ts';

/** Registers routes on the app, each guarded by its row in the access policy. */
export class ApiRouter {
  readonly resolvers = new Map<string, ResourceResolver>();
  /** Paths whose canonical form ends with `/`; requests without the slash reach them too. */
  readonly slashPaths = new Set<string>();
  readonly registered: PolicyRow[] = [];
  /** Advice on the body each route with a body takes, keyed by `METHOD /hono/:path`, for 415 responses. */
  readonly #mediaTypeAdvice = new Map<string, string>();
  readonly #closeHooks: (() => Promise<void>)[] = [];

  constructor(
    readonly app: ApiApp,
    readonly deps: AppDeps,
  ) {}

  /**
   * Registers `route`. Throws at start-up when the policy table has no row for it, so no
   * route is ever reachable without an access rule.
   */
  add<R extends RouteConfig>(route: R, handler: RouteHandler<R, ApiEnv>): void {
    const policy = findPolicy(route.method, route.path);
    if (!policy) {
      throw new Error(`No access policy for ${route.method.toUpperCase()} ${route.path}: add a row to src/access/policies.ts`);
    }

    const security = securityOf(policy);
    const middleware = [...authenticationFor(policy, this.deps), ...toArray(route.middleware)];
    const guarded = async (c: Context<ApiEnv>, next: () => Promise<void>) => {
      await authorize(policy, c, this.resolvers);
      return (handler as unknown as (c: Context<ApiEnv>, next: () => Promise<void>) => Promise<Response>)(c, next);
    };

    this.app.openapi({ ...route, middleware, security }, guarded as unknown as RouteHandler<R, ApiEnv>);
    this.registered.push(policy);
    const advice = mediaTypeAdvice(route);
    if (advice) this.#mediaTypeAdvice.set(routeKey(route.method, route.path.replaceAll(/\/{(.+?)}/g, '/:$1')), advice);
    if (route.path.length > 1 && route.path.endsWith('/')) this.slashPaths.add(route.path);
  }

  /** Returns what body the route matched by `c` takes, or undefined for a route without a body. */
  mediaTypeAdviceFor(c: Context): string | undefined {
    return this.#mediaTypeAdvice.get(routeKey(c.req.method, c.req.routePath));
  }

  /** Adds a step that `close()` runs, for work a route module keeps going in the background. */
  onClose(hook: () => Promise<void>): void {
    this.#closeHooks.push(hook);
  }

  /**
   * Runs every close hook and resolves when all have finished. Call it after the HTTP listener
   * stopped and before the database, broker and reader close, since the hooks may still use them.
   */
  async close(): Promise<void> {
    await Promise.all(this.#closeHooks.map((hook) => hook()));
  }
}

function routeKey(method: string, honoPath: string): string {
  return `${method.toUpperCase()} ${honoPath}`;
}

function securityOf(policy: PolicyRow): RouteConfig['security'] {
  if (policy.source.kind === 'public') return [];
  if (policy.source.kind === 'device') return [{ deviceBasic: [] }];
  return [{ bearer: [] }];
}

function toArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/**
 * Maps a request path onto its registered form: `/projects` reaches `/projects/`, and a
 * trailing slash on any other path is dropped.
 */
export function canonicalPath(path: string, slashPaths: Set<string>): string {
  if (path.length > 1 && path.endsWith('/')) return slashPaths.has(path) ? path : path.slice(0, -1);
  return slashPaths.has(`${path}/`) ? `${path}/` : path;
}
