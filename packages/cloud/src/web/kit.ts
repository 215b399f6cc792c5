import type { Context, Hono, MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';
import type { PolicyRow } from '../access/policy.ts';
import type { ApiApp, ApiEnv, AppDeps, ResourceResolver } from '../http/context.ts';
import { HttpError } from '../http/errors.ts';
import type { EvidenceAnnotator, EvidenceImage } from './evidence.ts';
import { policyById, requireResource, requireSession } from './guard.ts';

/** Shared parts each group of dashboard routes registers with. */
export interface PageKit {
  app: Hono<ApiEnv>;
  /** The whole app with the API routes, which dashboard forms post to in process (see `postToApi`). */
  api: ApiApp;
  deps: AppDeps;
  logger: Logger;
  annotator: EvidenceAnnotator;
  /** Requires a session; signed-out browsers are sent to the sign-in page. */
  session: MiddlewareHandler<ApiEnv>;
  /** Requires a session and the policy row `policyId` for the resource in the path (HTML pages). */
  page(policyId: string): MiddlewareHandler<ApiEnv>;
  /** Same as `page`, but responds 401 instead of redirecting (images, event streams). */
  resource(policyId: string): MiddlewareHandler<ApiEnv>;
  /** The policy row `policyId`; throws at start-up when it is missing. */
  row(policyId: string): PolicyRow;
}

export function createPageKit(app: Hono<ApiEnv>, api: ApiApp, deps: AppDeps, resolvers: Map<string, ResourceResolver>, annotator: EvidenceAnnotator): PageKit {
  return {
    app,
    api,
    deps,
    logger: deps.logger.child({ module: 'dashboard' }),
    annotator,
    session: requireSession(deps, { redirect: true }),
    page: (policyId) => requireResource(policyById(policyId), deps, resolvers, { redirect: true }),
    resource: (policyId) => requireResource(policyById(policyId), deps, resolvers, { redirect: false }),
    row: policyById,
  };
}

/** Longest accepted search text, in characters. */
const MAX_SEARCH_LENGTH = 100;

/** Reads the `q` search parameter, trimmed. Text longer than 100 characters is rejected with 422. */
export function searchQuery(c: Context): string {
  const search = (c.req.query('q') ?? '').trim();
  if (search.length > MAX_SEARCH_LENGTH) throw new HttpError(422, `The search text is ${search.length} characters long: use at most ${MAX_SEARCH_LENGTH}.`);
  return search;
}

/** Reads the `offset` parameter of a paged table. Anything but a whole number ≥ 0 is rejected with 422. */
export function offsetQuery(c: Context): number {
  const raw = c.req.query('offset');
  if (raw === undefined || raw === '') return 0;
  const offset = Number(raw);
  if (!Number.isSafeInteger(offset) || offset < 0) throw new HttpError(422, `Invalid offset ${JSON.stringify(raw)}: use a whole number of readings, 0 or more.`);
  return offset;
}

/** Sends an evidence image. The `X-Evidence-Annotated` header is true when the layout was drawn on it. */
export function sendImage(c: Context, image: EvidenceImage): Response {
  return c.body(new Uint8Array(image.body), 200, {
    'Content-Type': image.contentType,
    'Cache-Control': 'private, max-age=3600',
    'X-Content-Type-Options': 'nosniff',
    'X-Evidence-Annotated': String(image.annotated),
  });
}
