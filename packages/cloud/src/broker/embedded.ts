import { createServer, type Server, type Socket } from 'node:net';
import { Aedes, type AuthenticateError, type Client, type PublishPacket } from 'aedes';
import type { Logger } from 'pino';
import { listenError } from '../config/listen-error.ts';
import { urlHost } from '../config/options.ts';
import type { Database } from '../db/database.ts';
import { verifyDeviceCredentials } from '../devices/credentials.ts';
import { maySubscribe } from './acl.ts';
import type { DeviceMessageHandler, MessageBus, PublishOptions } from './bus.ts';
import { DEFAULT_MAX_PACKET_BYTES, guardPackets } from './packet-guard.ts';
import { authorizeDevicePublish } from './publish-authorizer.ts';
import { createRedisBackends, type RedisBackends } from './redis.ts';
import { MemoryRetainedTopics, RedisRetainedTopics, type RetainedTopics } from './retained-topics.ts';

export interface EmbeddedBrokerOptions {
  host: string;
  /** TCP port; 0 picks a free one. */
  port: number;
  database: Database;
  logger: Logger;
  onDeviceMessage: DeviceMessageHandler;
  /** Share messages and sessions with other nodes through Redis. */
  redisUrl?: string;
  /**
   * Largest MQTT packet in bytes, fixed header included, accepted from a client; a larger one
   * closes that client's connection. Default DEFAULT_MAX_PACKET_BYTES (4 MiB).
   */
  maxPacketBytes?: number;
}

// CONNACK return codes of MQTT 3.1.1, section 3.2.2.3.
const BAD_USERNAME_OR_PASSWORD = 4;
const NOT_AUTHORIZED = 5;

/** Internal topic carrying the id of a device whose connection must close on every node. */
const DISCONNECT_TOPIC = '$metervision/disconnect';

function authError(message: string, returnCode: number): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError;
}

/**
 * Starts aedes in this process with a TCP listener. A device authenticates with its device id
 * as client id and username, and its secret as password. Each device may publish only its own
 * uplink topics and subscribe only to its own downlink topics.
 */
export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<MessageBus> {
  const logger = options.logger.child({ module: 'broker' });
  const redis: RedisBackends | null = options.redisUrl ? createRedisBackends(options.redisUrl, logger) : null;
  // aedes 1.2.0 and its parser (mqtt-packet 9) have no packet size limit, so the socket is
  // watched here. The lift function of each connection's guard is called once it authenticates.
  const maxPacketBytes = options.maxPacketBytes ?? DEFAULT_MAX_PACKET_BYTES;
  const authenticated = new WeakMap<Client, () => void>();
  // Retained topics are counted where aedes keeps the retained messages: in Redis when the nodes
  // share it (so the cap applies across nodes and restarts), in this process otherwise.
  const retained: RetainedTopics = options.redisUrl ? new RedisRetainedTopics(options.redisUrl, logger) : new MemoryRetainedTopics();
  const publishDeps = { logger, retained, onDeviceMessage: options.onDeviceMessage };

  const broker = await Aedes.createBroker({
    ...(redis ? { mq: redis.mq, persistence: redis.persistence } : {}),
    authenticate: (client, username, password, done) => {
      authenticateDevice(options.database, client, username, password).then(
        () => {
          authenticated.get(client)?.();
          done(null, true);
        },
        (error: AuthenticateError) => {
          logger.warn({ clientId: client.id, returnCode: error.returnCode, reason: error.message }, 'device connection rejected');
          done(error, false);
        },
      );
    },
    authorizePublish: (client, packet, done) => {
      if (!client) return done(null);
      authorizeDevicePublish(publishDeps, client.id, packet).then(
        () => done(null),
        (error: unknown) => done(error as Error),
      );
    },
    authorizeSubscribe: (client, subscription, done) => {
      if (maySubscribe(client.id, subscription.topic)) return done(null, subscription);
      logger.warn({ deviceId: client.id, filter: subscription.topic }, 'subscription outside the device topics rejected');
      done(null, null);
    },
  });

  broker.on('clientReady', (client) => logger.info({ deviceId: client.id }, 'device connected'));
  broker.on('clientDisconnect', (client) => logger.info({ deviceId: client.id }, 'device disconnected'));
  broker.on('clientError', (client, error) => logger.warn({ deviceId: client.id, err: error.message }, 'device connection error'));

  // A revoke reaches every node through the broker's own emitter (Redis when shared), and the
  // node holding the connection closes it. Devices can neither publish nor subscribe here.
  const clients = (broker as unknown as { clients: Record<string, Client | undefined> }).clients;
  await new Promise<void>((resolveSubscribe) =>
    broker.subscribe(
      DISCONNECT_TOPIC,
      (packet, callback) => {
        const deviceId = toBuffer(packet.payload).toString('utf8');
        if (clients[deviceId]) logger.info({ deviceId }, 'closing the connection of a revoked device');
        clients[deviceId]?.close();
        callback();
      },
      resolveSubscribe,
    ),
  );

  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    const client = broker.handle(socket);
    authenticated.set(client, guardPackets(socket, { maxPacketBytes, logger, clientId: () => client.id }));
  });
  const port = await listen(server, options.host, options.port).catch(async (error: unknown) => {
    // aedes keeps a heartbeat interval (and Redis its connections) that would hold the process.
    await new Promise<void>((resolveClose) => broker.close(() => resolveClose()));
    await redis?.disconnect();
    await retained.close();
    throw error;
  });
  logger.info({ host: options.host, port, redis: redis !== null, maxPacketBytes }, 'MQTT broker listening');

  return {
    mode: redis ? 'redis' : 'embedded',
    url: `mqtt://${urlHost(options.host)}:${port}`,
    port,
    publish: (topic, payload, publishOptions) => publishPacket(broker, topic, payload, publishOptions),
    subscribe: async (filter, listener) => {
      const deliver = (packet: { topic: string; payload: Buffer | string }, callback: () => void) => {
        listener(packet.topic, toBuffer(packet.payload));
        callback();
      };
      await new Promise<void>((resolveSubscribe) => broker.subscribe(filter, deliver, resolveSubscribe));
      return () => new Promise<void>((resolveUnsubscribe) => broker.unsubscribe(filter, deliver, resolveUnsubscribe));
    },
    disconnectDevice: (deviceId) => {
      publishPacket(broker, DISCONNECT_TOPIC, deviceId, { qos: 0 }).catch((error: unknown) => {
        logger.error({ deviceId, err: (error as Error).message }, 'revoke notice not published');
      });
    },
    close: async () => {
      // Stop accepting first, then let aedes close its clients. A socket still open after that
      // (one that never sent CONNECT) would keep the port bound, so it is destroyed.
      const serverClosed = new Promise<void>((resolveClose) => server.close(() => resolveClose()));
      await new Promise<void>((resolveClose) => broker.close(() => resolveClose()));
      for (const socket of sockets) socket.destroy();
      await serverClosed;
      await redis?.persistence.destroy();
      await retained.close();
      logger.info({ port }, 'MQTT broker stopped');
    },
  };
}

async function authenticateDevice(database: Database, client: Client, username: string | undefined, password: Buffer | undefined): Promise<void> {
  if (!username || !password) throw authError('username and password required', BAD_USERNAME_OR_PASSWORD);
  if (client.id !== username) throw authError('client id must equal the device id (username)', NOT_AUTHORIZED);

  const device = await verifyDeviceCredentials(database, username, password.toString('utf8')).catch((error: unknown) => {
    throw authError(`credential check failed: ${(error as Error).message}`, NOT_AUTHORIZED);
  });
  if (!device) throw authError('unknown device or wrong secret', BAD_USERNAME_OR_PASSWORD);
}

function publishPacket(broker: Aedes, topic: string, payload: string | Buffer, options: PublishOptions = {}): Promise<void> {
  const packet: PublishPacket = {
    cmd: 'publish',
    topic,
    payload: typeof payload === 'string' ? Buffer.from(payload) : payload,
    qos: options.qos ?? 1,
    retain: options.retain ?? false,
    dup: false,
  };
  return new Promise((resolvePublish, reject) => broker.publish(packet, (error) => (error ? reject(error) : resolvePublish())));
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolveListen, reject) => {
    const fail = (error: unknown) => reject(listenError(error, { name: 'The MQTT broker', host, port, setting: 'MQTT_PORT' }));
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      const address = server.address();
      resolveListen(typeof address === 'object' && address ? address.port : port);
    });
  });
}

function toBuffer(payload: Buffer | string): Buffer {
  return typeof payload === 'string' ? Buffer.from(payload) : payload;
}
