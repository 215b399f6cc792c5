import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import pino, { type Logger } from 'pino';
import { ensureSuperAdmin } from './auth/bootstrap.ts';
import type { TokenSettings } from './auth/tokens.ts';
import type { MessageBus } from './broker/bus.ts';
import { startEmbeddedBroker } from './broker/embedded.ts';
import { connectExternalBroker } from './broker/external.ts';
import { checkRedis } from './broker/redis.ts';
import { checkHost } from './config/host.ts';
import { listenError } from './config/listen-error.ts';
import { resolveJwtSecret } from './config/jwt-secret.ts';
import { resolveOptions, urlHost, type CloudOptions, type CloudOptionsInput } from './config/options.ts';
import { openDatabase, type Database } from './db/database.ts';
import { createApp } from './http/app.ts';
import type { ApiApp, AppDeps } from './http/context.ts';
import { EvidenceStore } from './readings/evidence.ts';
import { createLazyImageReader } from './readings/image-reader.ts';
import { createIngestion, type Ingestion } from './readings/ingest.ts';
import { createRepositories, type Repositories } from './repositories.ts';

/** A running cloud. */
export interface CloudHandle {
  httpUrl: string;
  /** URL devices connect to; the external broker's with `mqttBrokerUrl`. */
  mqttUrl: string | null;
  httpPort: number;
  /** Port of the embedded broker; null with an external broker. */
  mqttPort: number | null;
  app: ApiApp;
  deps: AppDeps;
  repos: Repositories;
  database: Database;
  bus: MessageBus;
  ingestion: Ingestion;
  /**
   * Stops the HTTP listener, waits up to `shutdownTimeoutMs` for running validations (then marks
   * them abandoned), closes the broker after the messages being stored, then the database.
   */
  close(): Promise<void>;
}

/**
 * Starts the cloud in this process: configuration → HOST and Redis checks → database (migrated) → first super admin →
 * broker → ingestion → HTTP app → listener. `close()` stops them in reverse order; the same
 * ports and database can be started again afterwards.
 *
 * @example
 * const cloud = await startCloud({ port: 0, mqttPort: 0, dataDir: '/tmp/mv' });
 * await fetch(`${cloud.httpUrl}/healthz`);
 * await cloud.close();
 */
export async function startCloud(partial: CloudOptionsInput = {}): Promise<CloudHandle> {
  const logger = partial.logger ?? pino({ name: 'metervision-cloud' });
  const options = resolveOptions(partial, logger);
  const cleanup: (() => Promise<void>)[] = [];

  try {
    // Checks of settings only a connection or a lookup can prove, before anything opens or listens.
    await checkHost(options.host);
    if (options.redisUrl && !options.mqttBrokerUrl) await checkRedis(options.redisUrl);

    const database = await openDatabase({ url: options.databaseUrl, logger, poolSize: options.databasePoolSize });
    cleanup.push(() => database.close());
    const repos = createRepositories(database);
    if (options.admin) await ensureSuperAdmin(repos.users, options.admin, { hashCost: options.passwordHashCost, logger });

    const evidence = new EvidenceStore(options.imageDir);
    const ingestion = createIngestion({ repos, evidence, logger, liveness: options.liveness, maxImagePixels: options.maxImagePixels });
    // Registered before the broker starts: a broker that fails to listen must not leave the
    // liveness sweep running against a closed database.
    cleanup.push(() => ingestion.drain());
    const bus = await startBus(options, database, ingestion);
    cleanup.push(() => bus.close());

    const reader = createLazyImageReader({ workers: options.visionWorkers, logger: logger.child({ module: 'vision' }) });
    cleanup.push(() => reader.close());
    const tokens = await tokenSettings(options);
    const deps: AppDeps = { options: { ...options, mqttPublicUrl: options.mqttPublicUrl ?? bus.url ?? undefined }, database, repos, tokens, logger, reader, evidence, bus };
    const { app, router } = createApp(deps);
    // Runs after the listener closed and before the reader, broker and database do.
    cleanup.push(() => router.close());

    const server = await listen(app, options.host, options.port);
    cleanup.push(() => closeServer(server));
    const httpPort = (server.address() as AddressInfo).port;
    logger.info({ host: options.host, port: httpPort, mqtt: bus.url, dialect: database.dialect }, 'cloud started');

    return {
      httpUrl: `http://${urlHost(options.host)}:${httpPort}`,
      mqttUrl: bus.url,
      httpPort,
      mqttPort: bus.port,
      app,
      deps,
      repos,
      database,
      bus,
      ingestion,
      close: async () => {
        await runCleanup(cleanup, logger);
        logger.info({ port: httpPort }, 'cloud stopped');
      },
    };
  } catch (error) {
    await runCleanup(cleanup, logger);
    throw error;
  }
}

async function startBus(options: CloudOptions, database: Database, ingestion: Ingestion): Promise<MessageBus> {
  if (options.mqttBrokerUrl) {
    return connectExternalBroker({
      url: options.mqttBrokerUrl,
      username: options.mqttUsername,
      password: options.mqttPassword,
      clientId: `metervision-cloud-${randomUUID().slice(0, 8)}`,
      logger: options.logger,
      onDeviceMessage: ingestion.handle,
    });
  }
  return startEmbeddedBroker({
    host: options.host,
    port: options.mqttPort,
    database,
    logger: options.logger,
    onDeviceMessage: ingestion.handle,
    redisUrl: options.redisUrl,
    maxPacketBytes: options.mqttMaxPacketBytes,
  });
}

async function tokenSettings(options: CloudOptions): Promise<TokenSettings> {
  return {
    secret: await resolveJwtSecret(options, options.logger),
    issuer: options.tokenIssuer,
    audience: options.tokenAudience,
    expiresInSeconds: options.tokenExpiresMinutes * 60,
  };
}

function listen(app: ApiApp, host: string, port: number): Promise<ServerType> {
  return new Promise((resolveListen, reject) => {
    const server = serve({ fetch: app.fetch, hostname: host, port }, () => resolveListen(server));
    server.once('error', (error) => reject(listenError(error, { name: 'The HTTP server', host, port, setting: 'PORT' })));
  });
}

function closeServer(server: ServerType): Promise<void> {
  return new Promise((resolveClose) => {
    server.close(() => resolveClose());
    // Keep-alive connections would hold the port open; the listener is already closed.
    (server as { closeAllConnections?: () => void }).closeAllConnections?.();
  });
}

async function runCleanup(cleanup: (() => Promise<void>)[], logger: Logger): Promise<void> {
  for (const step of cleanup.reverse()) {
    await step().catch((error: unknown) => logger.error({ err: error }, 'shutdown step failed; continuing with the next'));
  }
  cleanup.length = 0;
}
