import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Hono } from 'hono';
import type { ApiEnv } from '../http/context.ts';
import { StaticAssets } from '../http/static-assets.ts';

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
};

export type AssetName = keyof typeof SOURCES;

/** About 70 KB in all, read at the first request or page render. */
const dashboardAssets = new StaticAssets<AssetName>('/ui/static', SOURCES);

/** URL of a dashboard asset with its content version, for example `/ui/static/dashboard.css?v=3f2a…`. */
export function assetUrl(name: AssetName): string {
  return dashboardAssets.url(name);
}

/** Adds `GET /ui/static/{name}` for the files listed above. */
export function registerStaticRoutes(app: Hono<ApiEnv>): void {
  dashboardAssets.register(app);
}
