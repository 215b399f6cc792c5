import { assetRoutes } from '../assets/routes.ts';
import { meterRoutes } from '../assets/meters.routes.ts';
import { authRoutes } from '../auth/routes.ts';
import { userRoutes } from '../auth/users.routes.ts';
import { deviceRoutes } from '../devices/routes.ts';
import { unassignedReadingRoutes } from '../devices/unassigned-readings.routes.ts';
import { installationRoutes } from '../installations/routes.ts';
import { organizationRoutes } from '../organizations/routes.ts';
import { readingRoutes } from '../readings/routes.ts';
import type { RouteModule } from './context.ts';
import { healthRoutes } from './health.ts';
import { dashboardRoutes } from '../web/routes.ts';

/**
 * Every route module of the API, registered in this order. A new module adds one line here
 * and one policy row per route in `src/access/policies.ts`.
 */
export const ROUTE_MODULES: RouteModule[] = [
  healthRoutes,
  authRoutes,
  userRoutes,
  organizationRoutes,
  assetRoutes,
  meterRoutes,
  readingRoutes,
  deviceRoutes,
  unassignedReadingRoutes,
  installationRoutes,
  dashboardRoutes,
];
