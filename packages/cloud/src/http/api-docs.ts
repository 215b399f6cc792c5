import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { html } from 'hono/html';
import { setPageHeaders } from '../web/layout.ts';
import type { ApiApp } from './context.ts';
import { StaticAssets } from './static-assets.ts';

/** Path of the OpenAPI 3.1 document the reference page shows. */
export const OPENAPI_PATH = '/openapi.json';

const STATIC_DIR = join(dirname(fileURLToPath(import.meta.url)), 'static');
const SWAGGER_UI_DIR = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/swagger-ui-bundle.js'));

/**
 * Files of the `/docs` page: Swagger UI from the swagger-ui-dist package (no CDN, so the page
 * works offline) and our page frame and start-up script. The bundle is about 1.7 MB, 0.5 MB
 * with gzip, read at the first request for the page.
 */
const docsAssets = new StaticAssets('/docs/assets', {
  'swagger-ui-bundle.js': { path: join(SWAGGER_UI_DIR, 'swagger-ui-bundle.js'), contentType: 'text/javascript; charset=utf-8' },
  'swagger-ui.css': { path: join(SWAGGER_UI_DIR, 'swagger-ui.css'), contentType: 'text/css; charset=utf-8' },
  'api-docs.js': { path: join(STATIC_DIR, 'api-docs.js'), contentType: 'text/javascript; charset=utf-8' },
  'api-docs.css': { path: join(STATIC_DIR, 'api-docs.css'), contentType: 'text/css; charset=utf-8' },
});

/** The API version shown in the OpenAPI document. */
const API_VERSION = '1.0.0';

/**
 * Adds the OpenAPI 3.1 document at `/openapi.json`, generated from the routes' zod schemas, and
 * the interactive reference at `/docs`. The page loads everything from this origin, under the
 * dashboard's Content-Security-Policy (no inline script or style, no other origin).
 */
export function registerApiDocs(app: ApiApp): void {
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'oauth2',
    description: 'Access token from POST /token, sent as `Authorization: Bearer <token>`.',
    flows: { password: { tokenUrl: '/token', scopes: {} } },
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'deviceBasic', {
    type: 'http',
    scheme: 'basic',
    description: 'Device id and the secret issued for it.',
  });

  app.doc31(OPENAPI_PATH, {
    openapi: '3.1.0',
    info: {
      title: 'MeterVision API',
      version: API_VERSION,
      description: 'Organizations, roles, the asset hierarchy, meters, devices, readings and installations.',
    },
  });

  docsAssets.register(app);
  app.get('/docs', (c) => {
    setPageHeaders(c);
    return c.html(docsPage());
  });
}

function docsPage() {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>MeterVision API reference</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${docsAssets.url('swagger-ui.css')}">
<link rel="stylesheet" href="${docsAssets.url('api-docs.css')}">
</head>
<body>
<noscript>The interactive reference needs JavaScript. The OpenAPI document is at <a href="${OPENAPI_PATH}">${OPENAPI_PATH}</a>.</noscript>
<div id="swagger-ui" data-spec-url="${OPENAPI_PATH}"></div>
<script src="${docsAssets.url('swagger-ui-bundle.js')}" defer></script>
<script src="${docsAssets.url('api-docs.js')}" defer></script>
</body>
</html>`;
}
