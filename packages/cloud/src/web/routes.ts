import { Hono } from 'hono';
import type { ApiEnv, RouteModule } from '../http/context.ts';
import { notFound } from '../http/errors.ts';
import type { ApiRouter } from '../http/router.ts';
import { EvidenceAnnotator } from './evidence.ts';
import { fleetEvents } from './fleet-stream.ts';
import { organizationsAllowedBy, PAGE_POLICIES, requireSession } from './guard.ts';
import { registerInstallationPages } from './installation-routes.ts';
import { createPageKit, searchQuery, type PageKit } from './kit.ts';
import { renderPage } from './layout.ts';
import { registerMeterPages } from './meter-routes.ts';
import { renderErrorPage } from './pages/error.ts';
import { FLEET_PAGE_SIZE, fleetBody } from './pages/fleet.ts';
import { registerSignIn } from './pages/sign-in.ts';
import { listFleet } from './queries.ts';
import { registerStaticRoutes } from './static.ts';

/** Adds the fleet page (`/`, the dashboard's home) and its event stream. */
function registerFleetPages(kit: PageKit): void {
  const { app, deps } = kit;
  const cameraRow = kit.row(PAGE_POLICIES.camera);

  app.get('/', kit.session, async (c) => {
    const principal = c.get('principal');
    const search = searchQuery(c);
    const { rows, counts } = await listFleet(deps.database, organizationsAllowedBy(cameraRow, principal), { search, limit: FLEET_PAGE_SIZE });
    const body = fleetBody({ principal, rows, counts, search });
    return renderPage(c, { title: 'Fleet', principal, section: 'fleet', body, scripts: ['fleet-live.js'], noscriptRefreshSeconds: 30 });
  });

  app.get('/ui/fleet/events', requireSession(deps, { redirect: false }), fleetEvents(deps, cameraRow));
}

/**
 * Registers the dashboard: server-rendered pages behind a session cookie, each checked with the
 * API policy row it mirrors (see `PAGE_POLICIES`). Errors on these routes render as HTML pages.
 */
function register(router: ApiRouter): void {
  const { deps, resolvers } = router;
  const dashboard = new Hono<ApiEnv>();
  const annotator = new EvidenceAnnotator(deps.evidence, deps.logger.child({ module: 'dashboard' }));
  const kit = createPageKit(dashboard, router.app, deps, resolvers, annotator);
  dashboard.onError(renderErrorPage(kit.logger));

  registerStaticRoutes(dashboard);
  registerSignIn(dashboard, deps);
  registerFleetPages(kit);
  registerMeterPages(kit);
  registerInstallationPages(kit);
  dashboard.get('/ui/*', () => {
    throw notFound('Page');
  });

  // Mounted as a sub-app so its error handler covers only the dashboard's routes.
  router.app.route('/', dashboard);
}

export const dashboardRoutes: RouteModule = { name: 'dashboard', register };
