import { join } from 'node:path';
import pino from 'pino';
import { resolveOptions, type CloudOptionsInput } from '../config/options.ts';
import { openDatabase, type Database } from '../db/database.ts';
import { createApp } from '../http/app.ts';
import type { ApiApp, AppDeps } from '../http/context.ts';
import { EvidenceStore } from '../readings/evidence.ts';
import { createLazyImageReader, type ImageReader } from '../readings/image-reader.ts';
import { createRepositories, type Repositories } from '../repositories.ts';

/** Fixed test signing key (48 bytes); never used outside tests. */
export const TEST_JWT_SECRET = 'test-only-signing-key-0123456789abcdefghijklmnop';

export interface TestApp {
  app: ApiApp;
  deps: AppDeps;
  database: Database;
  repos: Repositories;
  /** Sends a request to the app in-process (no listener). */
  request(path: string, init?: RequestInit & { token?: string }): Promise<Response>;
  /** Logs in through `POST /token` and returns the access token. */
  login(username: string, password: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * Rate limits of test apps. In-process requests have no client address, so they all share one
 * bucket, and route tests would run into limits meant for a single client. Tests of the limits
 * set their own through `overrides`.
 */
const TEST_RATE_LIMITS = { pairing: { burst: 10_000, perMinute: 10_000 }, loginFailures: { burst: 10_000, perMinute: 10_000 } };

/**
 * Builds the HTTP app over a real database without listeners or broker, for route tests.
 * `reader` replaces the lazily started vision reader.
 */
export async function createTestApp(options: { databaseUrl: string; dataDir: string; reader?: ImageReader; overrides?: CloudOptionsInput }): Promise<TestApp> {
  const logger = pino({ level: 'silent' });
  const cloudOptions = resolveOptions(
    { dataDir: options.dataDir, databaseUrl: options.databaseUrl, passwordHashCost: 10, ...options.overrides, rateLimits: { ...TEST_RATE_LIMITS, ...options.overrides?.rateLimits } },
    logger,
  );
  const database = await openDatabase({ url: options.databaseUrl, logger });
  const repos = createRepositories(database);
  const reader = options.reader ?? createLazyImageReader({ workers: 1, logger });
  const tokenSecret = new TextEncoder().encode(TEST_JWT_SECRET);
  const deps: AppDeps = {
    options: cloudOptions,
    database,
    repos,
    logger,
    reader,
    evidence: new EvidenceStore(join(options.dataDir, 'images')),
    bus: null,
    tokens: { secret: tokenSecret, issuer: cloudOptions.tokenIssuer, audience: cloudOptions.tokenAudience, expiresInSeconds: 3600 },
  };
  const { app, router } = createApp(deps);

  const request = (path: string, init: RequestInit & { token?: string } = {}) => {
    const headers = new Headers(init.headers);
    if (init.token) headers.set('authorization', `Bearer ${init.token}`);
    return Promise.resolve(app.request(path, { ...init, headers }));
  };

  return {
    app,
    deps,
    database,
    repos,
    request,
    login: async (username, password) => {
      const response = await request('/token', { method: 'POST', body: new URLSearchParams({ username, password }) });
      if (response.status !== 200) throw new Error(`login of ${username} failed with ${response.status}: ${await response.text()}`);
      return ((await response.json()) as { access_token: string }).access_token;
    },
    close: async () => {
      await router.close();
      await reader.close();
      await database.close();
    },
  };
}
