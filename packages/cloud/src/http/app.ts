import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { getPath } from 'hono/utils/url';
import { registerApiDocs } from './api-docs.ts';
import type { ApiApp, ApiEnv, AppDeps } from './context.ts';
import { handleError, toValidationIssues, validationResponse } from './errors.ts';
import { rejectNulCharacters } from './nul-guard.ts';
import { ApiRouter, canonicalPath } from './router.ts';
import { ROUTE_MODULES } from './routes.ts';

/** Room for multipart boundaries and form fields around the largest accepted image. */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

/**
 * Largest body of every request but a photo upload, in bytes. The biggest legitimate one is a meter
 * layout with two mark images as data URLs (tens of KiB); 1 MiB also bounds the time spent
 * parsing deeply nested JSON sent by anyone, signed in or not.
 */
export const MAX_REQUEST_BODY_BYTES = 1024 * 1024;

/** The one route that takes a photo: `POST /meters/{serial_number}/reading`. */
const UPLOAD_PATH = /^\/meters\/[^/]+\/reading\/?$/;

export interface CreatedApp {
  app: ApiApp;
  router: ApiRouter;
}

/**
 * Builds the HTTP API: error conventions, body limit, every route module of `routes.ts`, the
 * OpenAPI 3.1 document at `/openapi.json` and the interactive reference at `/docs`.
 */
export function createApp(deps: AppDeps): CreatedApp {
  const slashPaths = new Set<string>();
  const app: ApiApp = new OpenAPIHono<ApiEnv>({
    defaultHook: (result, c) => {
      if (result.success) return undefined;

      // @hono/zod-validator passes the raw input as `data` on failure too; the hook type of
      // @hono/zod-openapi 1.x leaves it out.
      const input = 'data' in result ? result.data : undefined;
      return validationResponse(c, toValidationIssues(result.error, result.target, input));
    },
    getPath: (request) => canonicalPath(getPath(request), slashPaths),
  });

  const router = new ApiRouter(app, deps);
  app.onError(handleError(deps.logger.child({ module: 'http' }), (c) => router.mediaTypeAdviceFor(c)));
  app.notFound((c) => c.json({ detail: 'Not Found' }, 404));
  const uploadLimit = bodyLimit({
    maxSize: deps.options.maxUploadBytes + MULTIPART_OVERHEAD_BYTES,
    onError: (c) => c.json({ detail: `Request body larger than ${deps.options.maxUploadBytes} bytes: send a smaller photo` }, 413),
  });
  const requestLimit = bodyLimit({
    maxSize: MAX_REQUEST_BODY_BYTES,
    onError: (c) => c.json({ detail: `Request body larger than ${MAX_REQUEST_BODY_BYTES} bytes: only photo uploads (POST /meters/{serial_number}/reading) may be larger` }, 413),
  });
  app.use((c, next) => (c.req.method === 'POST' && UPLOAD_PATH.test(c.req.path) ? uploadLimit(c, next) : requestLimit(c, next)));
  app.use(rejectNulCharacters());

  for (const module of ROUTE_MODULES) module.register(router);
  for (const path of router.slashPaths) slashPaths.add(path);

  registerApiDocs(app);
  return { app, router };
}
