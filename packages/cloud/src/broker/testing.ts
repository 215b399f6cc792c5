import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';
import { startCloud, type CloudHandle } from '../start.ts';
import { seed, type SeededOrganization } from '../testing/seed.ts';

/** One JSON log line of the cloud: the message and its fields. */
export interface LogLine {
  msg: string;
  [field: string]: unknown;
}

/** A cloud on SQLite with its embedded broker, two seeded organizations and their devices. */
export interface BrokerFixture {
  cloud: CloudHandle;
  acme: SeededOrganization;
  globex: SeededOrganization;
  /** Every warning and error the cloud logged so far. */
  logs: LogLine[];
  dataDir: string;
  /** Every client of the test, ended by `close`. */
  clients: MqttClient[];
  /** Connects as the device of `org`, without reconnecting. */
  connect(org: SeededOrganization): Promise<MqttClient>;
  close(): Promise<void>;
}

/** Starts a cloud in a temporary folder for broker tests. `name` prefixes the seeded names. */
export async function startBrokerFixture(name: string): Promise<BrokerFixture> {
  const dataDir = mkdtempSync(join(tmpdir(), `metervision-${name}-`));
  const logs: LogLine[] = [];
  const clients: MqttClient[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => logs.push(JSON.parse(line) as LogLine) });
  const cloud = await startCloud({ port: 0, mqttPort: 0, databaseUrl: join(dataDir, `${name}.db`), dataDir, logger, jwtSecret: `${name}-`.repeat(40) });
  const [acme, globex] = (await seed(cloud.database, cloud.repos, name)).organizations;

  return {
    cloud,
    acme,
    globex,
    logs,
    dataDir,
    clients,
    connect: async (org) => {
      const client = await mqtt.connectAsync(cloud.mqttUrl!, { clientId: org.deviceId, username: org.deviceId, password: org.deviceSecret, reconnectPeriod: 0 });
      clients.push(client);
      return client;
    },
    close: async () => {
      await Promise.all(clients.map((client) => client.endAsync(true)));
      await cloud.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
