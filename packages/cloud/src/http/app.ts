import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { getPath } from 'hono/utils/url';
import { registerApiDocs } from './api-docs.ts';
import type { ApiApp, ApiEnv, AppDeps } from './context.ts';
import { handleError, toValidationIssues, validationResponse } from './errors.ts';
import { ApiRouter, canonicalPath } from './router.ts';
import { ROUTE_MODULES } from './routes.ts';

/** Room for multipart boundaries and form fields around the largest accepted image. */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

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
      if (!result.success) return validationResponse(c, toValidationIssues(result.error, result.target));
      return undefined;
    },
    getPath: (request) => canonicalPath(getPath(request), slashPaths),
  });

  const router = new ApiRouter(app, deps);
  app.onError(handleError(deps.logger.child({ module: 'http' }), (c) => router.mediaTypeAdviceFor(c)));
  app.notFound((c) => c.json({ detail: 'Not Found' }, 404));
  app.use(
    bodyLimit({
      maxSize: deps.options.maxUploadBytes + MULTIPART_OVERHEAD_BYTES,
      onError: (c) => c.json({ detail: `Request body larger than ${deps.options.maxUploadBytes} bytes` }, 413),
    }),
  );

  for (const module of ROUTE_MODULES) module.register(router);
  for (const path of router.slashPaths) slashPaths.add(path);

  registerApiDocs(app);
  return { app, router };
}
