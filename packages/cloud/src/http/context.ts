import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Logger } from 'pino';
import type { ApiRouter } from './router.ts';
import type { Principal } from '../access/principal.ts';
import type { MembershipRole } from '../access/roles.ts';
import type { TokenSettings } from '../auth/tokens.ts';
import type { MessageBus } from '../broker/bus.ts';
import type { CloudOptions } from '../config/options.ts';
import type { Database } from '../db/database.ts';
import type { DeviceRow } from '../devices/devices.repo.ts';
import type { Repositories } from '../repositories.ts';
import type { ImageReader } from '../readings/image-reader.ts';
import type { EvidenceStore } from '../readings/evidence.ts';

/** Values the access middleware sets on each request. */
export interface ApiVariables {
  /** The authenticated user (routes whose policy needs a user). */
  principal: Principal;
  /** The authenticated device (routes whose policy is `device`). */
  device: DeviceRow;
  /** The organization the request acts on, for organization and resource policies. */
  organizationId: number;
  /** The caller's role in that organization; null when a platform role granted access. */
  membershipRole: MembershipRole | null;
}

export interface ApiEnv {
  Variables: ApiVariables;
}

export type ApiApp = OpenAPIHono<ApiEnv>;

/** Finds the organization of one resource (a meter serial, a project id …); null when it does not exist. */
export type ResourceResolver = (key: string) => Promise<number | null>;

/** Everything a route module may use. */
export interface AppDeps {
  options: CloudOptions;
  database: Database;
  repos: Repositories;
  tokens: TokenSettings;
  logger: Logger;
  /** Server-side reading of uploaded photos. */
  reader: ImageReader;
  evidence: EvidenceStore;
  /** Publishes to devices; null when the app runs without a broker (HTTP-only tests). */
  bus: MessageBus | null;
}

/** A group of routes. `createApp` registers the modules listed in `routes.ts`. */
export interface RouteModule {
  name: string;
  /** Adds the module's routes with `router.add` and its resource resolvers to `router.resolvers`. */
  register(router: ApiRouter): void;
}
