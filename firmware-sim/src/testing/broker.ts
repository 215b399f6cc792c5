import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Aedes, type AuthenticateError } from 'aedes';
import { isDevicePublishAllowed, isDeviceSubscribeAllowed } from '@metervision/protocol';

/** One message a client published, as the broker received it. */
export interface RecordedMessage {
  clientId: string;
  topic: string;
  payload: Buffer;
  qos: number;
  retain: boolean;
}

export interface TestBroker {
  /** For example `mqtt://127.0.0.1:40123`. */
  url: string;
  aedes: Aedes;
  /** Every message published by a client, in arrival order. */
  messages: RecordedMessage[];
  /** Publishes from the broker itself, as the cloud does for `config` and `commands`. */
  publish(topic: string, payload: string, options?: { qos?: 0 | 1; retain?: boolean }): Promise<void>;
  /** Resolves with the first recorded message (past or future) that matches, or rejects after `timeoutMs`. */
  waitFor(match: (message: RecordedMessage) => boolean, timeoutMs?: number): Promise<RecordedMessage>;
  /** The retained message on `topic`, or null when there is none. */
  retained(topic: string): Promise<Buffer | null>;
  close(): Promise<void>;
}

/** The part of aedes' persistence API used here; aedes 1.2 types do not declare `persistence`. */
interface RetainedStore {
  persistence: { createRetainedStream(pattern: string): NodeJS.ReadableStream };
}

export interface TestBrokerOptions {
  /** Accepted passwords per device id; when set, username must equal the client id and the password must match. */
  passwords?: Record<string, string>;
  /** When set to false, recorded messages are only counted, for load tests. Default true. */
  record?: boolean;
  /** Called for every client publish; for counting in benchmarks. */
  onPublish?: (clientId: string, topic: string) => void;
}

/**
 * Starts an aedes broker on a free loopback port, enforcing the cloud's device rules: client id
 * equals the username, and each device publishes and subscribes only to its own topics. For tests
 * and benchmarks only (aedes is a dev dependency).
 */
export async function startTestBroker(options: TestBrokerOptions = {}): Promise<TestBroker> {
  const aedes = await Aedes.createBroker();
  const messages: RecordedMessage[] = [];
  const waiters = new Set<(message: RecordedMessage) => void>();
  const record = options.record ?? true;

  aedes.authenticate = (client, username, password, done) => {
    if (!options.passwords) return done(null, true);
    const expected = options.passwords[client.id];
    if (username === client.id && expected !== undefined && password?.toString('utf8') === expected) return done(null, true);
    const error = Object.assign(new Error('Bad username or password'), { returnCode: 4 }) as AuthenticateError;
    done(error, false);
  };
  aedes.authorizePublish = (client, packet, callback) => {
    if (client && !isDevicePublishAllowed(client.id, packet.topic)) return callback(new Error(`${client.id} may not publish to ${packet.topic}`));
    callback(null);
  };
  aedes.authorizeSubscribe = (client, subscription, callback) => {
    if (!isDeviceSubscribeAllowed(client.id, subscription.topic)) return callback(new Error(`${client.id} may not subscribe to ${subscription.topic}`));
    callback(null, subscription);
  };
  aedes.on('publish', (packet, client) => {
    if (!client) return;
    options.onPublish?.(client.id, packet.topic);
    if (!record) return;
    const message = { clientId: client.id, topic: packet.topic, payload: Buffer.from(packet.payload), qos: packet.qos, retain: packet.retain };
    messages.push(message);
    for (const waiter of waiters) waiter(message);
  });

  const server: Server = createServer(aedes.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `mqtt://127.0.0.1:${port}`,
    aedes,
    messages,
    publish: (topic, payload, publishOptions = {}) =>
      new Promise((resolve, reject) => {
        aedes.publish(
          { cmd: 'publish', topic, payload: Buffer.from(payload), qos: publishOptions.qos ?? 1, retain: publishOptions.retain ?? false, dup: false },
          (error) => (error ? reject(error) : resolve()),
        );
      }),
    waitFor: (match, timeoutMs = 5_000) =>
      new Promise((resolve, reject) => {
        const found = messages.find(match);
        if (found) return resolve(found);
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`No matching message within ${timeoutMs} ms (${messages.length} recorded)`));
        }, timeoutMs);
        const waiter = (message: RecordedMessage) => {
          if (!match(message)) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(message);
        };
        waiters.add(waiter);
      }),
    retained: (topic) =>
      new Promise((resolve, reject) => {
        const stream = (aedes as unknown as RetainedStore).persistence.createRetainedStream(topic);
        let found: Buffer | null = null;
        stream.on('data', (packet: { payload: Buffer }) => (found = Buffer.from(packet.payload)));
        stream.on('end', () => resolve(found));
        stream.on('error', reject);
      }),
    close: async () => {
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
