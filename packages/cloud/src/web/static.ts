import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Hono } from 'hono';
import type { ApiEnv } from '../http/context.ts';

interface Asset {
  body: Uint8Array<ArrayBuffer>;
  contentType: string;
  /** First 12 hex digits of the SHA-256 of the body; pages add it to the URL so a new file is fetched after an upgrade. */
  version: string;
}

const STATIC_DIR = join(dirname(fileURLToPath(import.meta.url)), 'static');
const UPLOT_DIR = dirname(createRequire(import.meta.url).resolve('uplot/dist/uPlot.iife.min.js'));

/** Every file the dashboard serves, by URL name: our own CSS and scripts, and uPlot from node_modules (no CDN, so pages work offline). */
const SOURCES = {
  'dashboard.css': { path: join(STATIC_DIR, 'dashboard.css'), contentType: 'text/css; charset=utf-8' },
  'fleet-live.js': { path: join(STATIC_DIR, 'fleet-live.js'), contentType: 'text/javascript; charset=utf-8' },
  'meter-chart.js': { path: join(STATIC_DIR, 'meter-chart.js'), contentType: 'text/javascript; charset=utf-8' },
  'live-region.js': { path: join(STATIC_DIR, 'live-region.js'), contentType: 'text/javascript; charset=utf-8' },
  'uplot.min.js': { path: join(UPLOT_DIR, 'uPlot.iife.min.js'), contentType: 'text/javascript; charset=utf-8' },
  'uplot.min.css': { path: join(UPLOT_DIR, 'uPlot.min.css'), contentType: 'text/css; charset=utf-8' },
} satisfies Record<string, { path: string; contentType: string }>;

export type AssetName = keyof typeof SOURCES;

let assets: Map<string, Asset> | null = null;

/** Reads the assets once, at the first request or page render (about 70 KB in all). */
function loadAssets(): Map<string, Asset> {
  if (assets) return assets;

  assets = new Map();
  for (const [name, source] of Object.entries(SOURCES)) {
    const body = new Uint8Array(readFileSync(source.path));
    assets.set(name, { body, contentType: source.contentType, version: createHash('sha256').update(body).digest('hex').slice(0, 12) });
  }
  return assets;
}

/** URL of a dashboard asset with its content version, for example `/ui/static/dashboard.css?v=3f2a…`. */
export function assetUrl(name: AssetName): string {
  const asset = loadAssets().get(name);
  if (!asset) throw new Error(`Unknown dashboard asset ${JSON.stringify(name)}`);
  return `/ui/static/${name}?v=${asset.version}`;
}

/** Adds `GET /ui/static/{name}`; only the files listed above are reachable, so no path is ever built from the request. */
export function registerStaticRoutes(app: Hono<ApiEnv>): void {
  app.get('/ui/static/:name', (c) => {
    const asset = loadAssets().get(c.req.param('name'));
    if (!asset) return c.text('Not Found', 404);

    // A versioned URL never changes content; an unversioned one may after an upgrade.
    const cache = c.req.query('v') === asset.version ? 'public, max-age=31536000, immutable' : 'public, max-age=300';
    return c.body(asset.body, 200, { 'Content-Type': asset.contentType, 'Cache-Control': cache, 'X-Content-Type-Options': 'nosniff' });
  });
}
