import { decodePayload, type ReadingMessage, topics } from '@metervision/protocol';
import Database from 'better-sqlite3';
import mqtt, { type MqttClient } from 'mqtt';

/** A result on `commands/result`, as the tests read it. */
export interface CommandResult {
  commandId: string;
  type: string;
  status: 'ok' | 'failed';
  message?: string;
}

/**
 * A stand-in for the cloud's ingestion: a persistent MQTT session (clean session off, QoS 1)
 * that stores each reading id once in SQLite, as the cloud does, and counts raw deliveries.
 */
export class ReadingCollector {
  readonly client: MqttClient;
  readonly messages: { topic: string; payload: Buffer; retain: boolean }[] = [];
  readonly #db = new Database(':memory:');
  deliveries = 0;

  private constructor(client: MqttClient) {
    this.client = client;
    this.#db.exec('CREATE TABLE readings (reading_id TEXT PRIMARY KEY, status TEXT, value REAL, payload TEXT)');
    const insert = this.#db.prepare('INSERT INTO readings VALUES (?, ?, ?, ?) ON CONFLICT (reading_id) DO NOTHING');
    client.on('message', (topic, payload, packet) => {
      this.messages.push({ topic, payload, retain: packet.retain });
      if (!topic.endsWith('/readings')) return;
      this.deliveries += 1;
      const decoded = decodePayload('readings', payload);
      if (decoded.ok) insert.run(decoded.value.readingId, decoded.value.status, decoded.value.value, payload.toString());
    });
  }

  static async connect(url: string, filters: string[]): Promise<ReadingCollector> {
    const client = mqtt.connect(url, { clientId: `collector-${process.pid}-${Date.now()}`, clean: false, reconnectPeriod: 100 });
    const collector = new ReadingCollector(client);
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    await client.subscribeAsync(filters, { qos: 1 });
    return collector;
  }

  readings(): ReadingMessage[] {
    const rows = this.#db.prepare<[], { payload: string }>('SELECT payload FROM readings ORDER BY rowid').all();
    return rows.map((row) => JSON.parse(row.payload) as ReadingMessage);
  }

  /** Messages on topics ending in `/kind`, decoded as JSON. */
  received<T>(kind: string): T[] {
    return this.messages.filter((message) => message.topic.endsWith(`/${kind}`) && message.payload.length > 0).map((message) => JSON.parse(message.payload.toString()) as T);
  }

  /** Publishes a retained configuration for `deviceId`, as the cloud does when an installation is completed. */
  async publishConfig(deviceId: string, config: object): Promise<void> {
    await this.client.publishAsync(topics.config(deviceId), JSON.stringify(config), { qos: 1, retain: true });
  }

  /** Sends a command to `deviceId` and waits for its result. */
  async command(deviceId: string, type: string, extra: object = {}): Promise<CommandResult> {
    const commandId = `cmd-${type}-${Date.now()}`;
    const payload = { v: 1, commandId, issuedAt: new Date().toISOString(), type, ...extra };
    await this.client.publishAsync(topics.commands(deviceId), JSON.stringify(payload), { qos: 1 });

    const result = () => this.received<CommandResult>('commands/result').find((candidate) => candidate.commandId === commandId);
    await waitFor(() => result() !== undefined, `the ${type} result`);
    return result()!;
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
    this.#db.close();
  }
}

/** Polls `condition` every 50 ms until it holds; throws with `what` after `timeoutMs`. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
