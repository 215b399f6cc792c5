import { readFileSync } from 'node:fs';
import { type DeviceConfig, deviceTopic, encodePayload, type PayloadOf, type TopicKind, topics } from '@metervision/protocol';
import { MeterReader } from '@metervision/vision';
import type { MqttClient } from 'mqtt';
import pino, { type Logger } from 'pino';
import { type CaptureSource, createCaptureSource } from './capture/index.ts';
import { isClockSynchronized, skewFromDateHeader } from './clock.ts';
import { type AgentConfig, loadConfigFile, LOCAL_CONFIG_VERSION } from './config/load.ts';
import { type Credentials, readCredentials } from './credentials.ts';
import { errorMessage } from './errors.ts';
import { createHealth, recordOutcome } from './health.ts';
import { buildHeartbeat, readSignalDbm, sendHttpHeartbeat } from './heartbeat.ts';
import { type CommandHandlers, handleCommandMessage } from './mqtt/commands.ts';
import { connectMqtt, statusPayload } from './mqtt/connection.ts';
import { discoveryMessages } from './mqtt/home-assistant.ts';
import { Publisher } from './mqtt/publisher.ts';
import { handleConfigMessage } from './mqtt/remote-config.ts';
import { type AgentDatabase, openAgentDatabase } from './outbox/db.ts';
import { Outbox, type OutboxStats } from './outbox/outbox.ts';
import { StateStore } from './outbox/state.ts';
import { type CycleOutcome, type ImageReader, runCycle } from './pipeline.ts';
import { nextCaptureAt } from './schedule.ts';
import { buildImageMessage } from './send-image.ts';
import { captureWithRetry } from './capture/retry.ts';
import { SystemdNotifier } from './watchdog.ts';

/** Version reported in heartbeats: the agent package's version. */
export const FIRMWARE_VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const CLOCK_CHECK_INTERVAL_MS = 3_600_000;
const SHUTDOWN_FLUSH_MS = 5_000;

export interface AgentOptions {
  logger?: Logger;
  /** A reader to share (tests, benchmarks); the agent does not close it. Default: a new MeterReader with one worker. */
  reader?: ImageReader & { close?(): Promise<void> };
  /** Run captures on the configured schedule. Default true; false leaves only `captureNow` and commands. */
  schedule?: boolean;
}

/** A running agent. */
export interface AgentHandle {
  readonly deviceId: string;
  /** Runs one capture cycle now (after the one in progress) and returns how it ended. */
  captureNow(): Promise<CycleOutcome>;
  /** Figures for tests and the CLI. */
  status(): AgentStatus;
  /** Finishes the current cycle, flushes the outbox for up to 5 s, disconnects, terminates the OCR worker. */
  close(): Promise<void>;
}

export interface AgentStatus {
  connected: boolean;
  outbox: OutboxStats;
  /** Version of the remote configuration in use; 0 while the local file's is used. */
  configVersion: number;
  captureFailures: number;
  lastError: string | null;
}

/**
 * Starts the edge agent: opens the state database, connects to the broker (when paired or
 * configured), subscribes to its configuration and commands, and captures on schedule.
 *
 * @example
 * const agent = await startAgent(await loadConfigFile('/etc/metervision/agent.json'));
 * process.once('SIGTERM', () => void agent.close());
 */
export async function startAgent(config: AgentConfig, options: AgentOptions = {}): Promise<AgentHandle> {
  const agent = new Agent(config, options);
  await agent.start();
  return agent;
}

class Agent implements AgentHandle {
  readonly deviceId: string;
  #config: AgentConfig;
  readonly #options: AgentOptions;
  /** Logger with the device id; each module logs through `#base.child({ module })`. */
  readonly #base: Logger;
  readonly #logger: Logger;
  readonly #pipelineLogger: Logger;
  readonly #db: AgentDatabase;
  readonly #state: StateStore;
  readonly #outbox: Outbox;
  readonly #health = createHealth();
  readonly #notifier: SystemdNotifier;
  readonly #shutdown = new AbortController();
  readonly #timers = new Set<NodeJS.Timeout>();
  #source: CaptureSource;
  #reader: (ImageReader & { close?(): Promise<void> }) | null = null;
  #remote: DeviceConfig | null;
  #credentials: Credentials | null = null;
  #client: MqttClient | null = null;
  #publisher: Publisher | null = null;
  #cycle: Promise<unknown> = Promise.resolve();
  #cycleStartedAt: number | null = null;
  #scheduleTimer: NodeJS.Timeout | null = null;
  #messages: Promise<unknown> = Promise.resolve();
  #disconnectedSince: number | null = Date.now();
  #closing = false;

  constructor(config: AgentConfig, options: AgentOptions) {
    this.deviceId = config.deviceId;
    this.#config = config;
    this.#options = options;
    this.#base = (options.logger ?? pino({ level: config.logLevel })).child({ deviceId: config.deviceId });
    this.#logger = this.#base.child({ module: 'agent' });
    this.#pipelineLogger = this.#base.child({ module: 'pipeline' });
    this.#db = openAgentDatabase(config.stateDir);
    this.#state = new StateStore(this.#db);
    this.#outbox = new Outbox(this.#db, this.#state, config.outbox, this.#base.child({ module: 'outbox' }));
    this.#remote = this.#state.remoteConfig;
    this.#source = createCaptureSource(config.source, { seen: this.#state.seenFiles() });
    this.#notifier = new SystemdNotifier(this.#base.child({ module: 'systemd' }));
  }

  async start(): Promise<void> {
    this.#logger.info(
      { source: this.#source.description, stateDir: this.#config.stateDir, configVersion: this.#activeVersion(), pending: this.#outbox.stats().pending },
      'agent starting',
    );
    this.#reader = this.#options.reader ?? (await MeterReader.create({ workers: 1, logger: this.#base }));
    this.#credentials = await readCredentials(this.#config.stateDir);
    this.#connect();

    this.#every(this.#config.heartbeat.intervalSeconds * 1_000, () => this.#sendHeartbeat());
    this.#every(CLOCK_CHECK_INTERVAL_MS, () => this.#checkClock());
    this.#runTask(() => this.#checkClock());
    if (this.#options.schedule !== false) this.#scheduleNext(new Date(Date.now() - this.#device().schedule.intervalSeconds * 1_000));

    this.#notifier.ready();
    this.#notifier.startWatchdog(() => this.#isHealthy());
    this.#logger.info('agent started');
  }

  captureNow(): Promise<CycleOutcome> {
    if (this.#closing) return Promise.reject(new Error('the agent is shutting down; no new capture started'));

    const run = this.#cycle.then(() => this.#runOneCycle());
    this.#cycle = run.catch(() => undefined);
    return run;
  }

  status(): AgentStatus {
    return {
      connected: this.#client?.connected ?? false,
      outbox: this.#outbox.stats(),
      configVersion: this.#activeVersion(),
      captureFailures: this.#health.captureFailures,
      lastError: this.#health.lastError?.message ?? null,
    };
  }

  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    this.#logger.info('agent stopping: finishing the current cycle');
    this.#notifier.stopping();
    this.#notifier.stopWatchdog();
    if (this.#scheduleTimer) clearTimeout(this.#scheduleTimer);
    for (const timer of this.#timers) clearInterval(timer);
    this.#shutdown.abort();

    await this.#cycle;
    await this.#messages;
    await this.#disconnect();
    if (!this.#options.reader) await this.#reader?.close?.();
    this.#db.close();
    this.#logger.info('agent stopped');
  }

  async #runOneCycle(): Promise<CycleOutcome> {
    this.#cycleStartedAt = Date.now();
    try {
      const outcome = await runCycle(
        {
          deviceId: this.deviceId,
          source: this.#source,
          reader: this.#reader!,
          state: this.#state,
          outbox: this.#outbox,
          retry: this.#config.retry,
          config: () => ({ device: this.#device(), remoteVersion: this.#remote?.version ?? null }),
          onQueued: () => this.#publisher?.kick(),
          logger: this.#pipelineLogger,
        },
        this.#shutdown.signal,
      );
      recordOutcome(this.#health, outcome);
      return outcome;
    } finally {
      this.#cycleStartedAt = null;
    }
  }

  #scheduleNext(from: Date): void {
    if (this.#closing) return;

    const at = nextCaptureAt(from, this.#device().schedule);
    const delay = Math.max(0, at.getTime() - Date.now());
    if (this.#scheduleTimer) clearTimeout(this.#scheduleTimer);
    this.#scheduleTimer = setTimeout(() => {
      this.captureNow()
        .catch((error: unknown) => this.#logger.error({ err: errorMessage(error) }, 'scheduled cycle failed'))
        .finally(() => this.#scheduleNext(new Date()));
    }, delay);
    this.#logger.debug({ nextCaptureAt: at.toISOString() }, 'next capture scheduled');
  }

  #device(): DeviceConfig {
    return this.#remote ?? this.#config.device;
  }

  #activeVersion(): number {
    return this.#remote?.version ?? LOCAL_CONFIG_VERSION;
  }

  /** Healthy while no cycle has run longer than every capture attempt and backoff could take, plus 2 minutes. */
  #isHealthy(): boolean {
    if (this.#cycleStartedAt === null) return true;

    const { attempts, maxDelayMs } = this.#config.retry;
    const limit = attempts * (this.#device().capture.timeoutMs + maxDelayMs) + 120_000;
    return Date.now() - this.#cycleStartedAt < limit;
  }

  #every(intervalMs: number, task: () => Promise<void>): void {
    const timer = setInterval(() => this.#runTask(task), intervalMs);
    timer.unref();
    this.#timers.add(timer);
  }

  #runTask(task: () => Promise<void>): void {
    task().catch((error: unknown) => this.#logger.error({ err: errorMessage(error) }, 'background task failed'));
  }

  #connect(): void {
    const mqtt = this.#config.mqtt;
    const url = mqtt.url ?? this.#credentials?.mqttUrl ?? null;
    if (!url) {
      this.#logger.warn('no broker URL: not paired and mqtt.url unset; readings stay in the outbox until the device is paired');
      return;
    }

    const client = connectMqtt({
      deviceId: this.deviceId,
      url,
      username: mqtt.username ?? this.#credentials?.mqttUsername ?? this.deviceId,
      password: mqtt.password ?? this.#credentials?.mqttPassword,
      settings: mqtt,
      logger: this.#base.child({ module: 'mqtt' }),
    });
    this.#client = client;
    this.#publisher = new Publisher(client, this.#outbox, { maxInFlight: mqtt.maxInFlight, logger: this.#base.child({ module: 'publisher' }) });

    client.on('connect', () => this.#onConnect(client));
    client.on('close', () => {
      this.#disconnectedSince ??= Date.now();
    });
    client.on('message', (topic, payload) => {
      this.#messages = this.#messages.then(() => this.#onMessage(topic, payload)).catch((error: unknown) => {
        this.#logger.error({ topic, err: errorMessage(error) }, 'message handling failed');
      });
    });
  }

  #onConnect(client: MqttClient): void {
    this.#disconnectedSince = null;
    client.subscribe([topics.config(this.deviceId), topics.commands(this.deviceId)], { qos: 1 }, (error) => {
      if (error) this.#logger.error({ err: error.message }, 'subscribing to config and commands failed');
    });
    this.#publishDiscovery();
    this.#runTask(() => this.#sendHeartbeat());
  }

  async #onMessage(topic: string, payload: Buffer): Promise<void> {
    if (topic === topics.config(this.deviceId)) {
      const report = await handleConfigMessage(payload, {
        activeVersion: () => this.#activeVersion(),
        apply: async (config) => this.#applyRemoteConfig(config),
        logger: this.#base.child({ module: 'remote-config' }),
      });
      if (report) this.#publish('config/report', report);
      return;
    }

    if (topic === topics.commands(this.deviceId)) {
      const result = await handleCommandMessage(payload, this.#commandHandlers(), this.#base.child({ module: 'commands' }));
      if (result) this.#publish('commands/result', result);
    }
  }

  async #applyRemoteConfig(config: DeviceConfig): Promise<void> {
    const discoveryChanged = JSON.stringify(config.homeAssistant) !== JSON.stringify(this.#device().homeAssistant);
    this.#state.remoteConfig = config;
    this.#remote = config;
    if (this.#options.schedule !== false && this.#scheduleTimer) this.#scheduleNext(new Date());
    if (discoveryChanged) this.#publishDiscovery();
  }

  #commandHandlers(): CommandHandlers {
    return {
      capture_now: async () => describeOutcome(await this.captureNow()),
      send_image: async (command) => {
        const { captured } = await captureWithRetry(this.#source, this.#device().capture, this.#config.retry, {
          logger: this.#logger,
          signal: this.#shutdown.signal,
        });
        const message = await buildImageMessage(captured, command.commandId);
        await this.#publishAsync('images', message);
        return `image ${message.width}x${message.height} sent as ${message.imageId}`;
      },
      reload: async () => this.#reload(),
      set_previous_value: async (command) => {
        this.#state.previousValue = { value: command.value, at: new Date().toISOString() };
        this.#logger.info({ value: command.value }, 'previous value set by command');
        return `previous value set to ${command.value}`;
      },
    };
  }

  async #reload(): Promise<string> {
    if (this.#config.file) {
      const reloaded = await loadConfigFile(this.#config.file);
      this.#config = { ...reloaded, mqtt: this.#config.mqtt, stateDir: this.#config.stateDir };
      this.#source = createCaptureSource(reloaded.source, { seen: this.#state.seenFiles() });
    }

    // The retained configuration comes again on a new subscription.
    const client = this.#client;
    if (client?.connected) {
      await client.unsubscribeAsync(topics.config(this.deviceId));
      await client.subscribeAsync(topics.config(this.deviceId), { qos: 1 });
    }
    return this.#config.file ? `reloaded ${this.#config.file}; broker and state directory changes need a restart` : 'reloaded the remote configuration';
  }

  /**
   * Publishes Home Assistant discovery when it is on, and the removal messages once after it was
   * switched off. Nothing goes out while it stays off: a cloud broker rejects topics outside the
   * device's own, and may drop the connection for it.
   */
  #publishDiscovery(): void {
    const client = this.#client;
    if (!client?.connected) return;

    const enabled = this.#device().homeAssistant.enabled;
    const published = this.#state.getJson<boolean>('homeAssistant.published') ?? false;
    if (!enabled && !published) return;

    for (const message of discoveryMessages(this.deviceId, this.#device(), FIRMWARE_VERSION)) {
      client.publish(message.topic, message.payload, { qos: 1, retain: true }, (error) => {
        if (error) this.#logger.warn({ topic: message.topic, err: error.message }, 'Home Assistant discovery not published');
      });
    }
    this.#state.setJson('homeAssistant.published', enabled);
  }

  #publish<K extends TopicKind>(kind: K, message: PayloadOf<K>): void {
    this.#client?.publish(deviceTopic(this.deviceId, kind), encodePayload(kind, message as never), { qos: 1 }, (error) => {
      if (error) this.#logger.warn({ kind, err: error.message }, 'publish failed');
    });
  }

  async #publishAsync<K extends TopicKind>(kind: K, message: PayloadOf<K>): Promise<void> {
    const client = this.#client;
    if (!client?.connected) throw new Error('not connected to the broker');
    await client.publishAsync(deviceTopic(this.deviceId, kind), encodePayload(kind, message as never), { qos: 1 });
  }

  async #sendHeartbeat(): Promise<void> {
    const stats = this.#outbox.stats();
    const heartbeat = buildHeartbeat({
      firmwareVersion: FIRMWARE_VERSION,
      health: this.#health,
      outboxPending: stats.pending,
      outboxDropped: stats.dropped,
      configVersion: this.#remote?.version ?? null,
      signalDbm: await readSignalDbm(),
    });

    if (this.#client?.connected) {
      this.#publish('heartbeat', heartbeat);
      return;
    }
    await this.#sendHttpHeartbeat(heartbeat);
  }

  /** The HTTP fallback, once MQTT has been down for a whole heartbeat interval. */
  async #sendHttpHeartbeat(heartbeat: ReturnType<typeof buildHeartbeat>): Promise<void> {
    const downFor = this.#disconnectedSince === null ? 0 : Date.now() - this.#disconnectedSince;
    const cloudUrl = this.#config.cloud.url ?? this.#credentials?.cloudUrl;
    const password = this.#config.mqtt.password ?? this.#credentials?.mqttPassword;
    if (!this.#config.cloud.httpHeartbeat || !cloudUrl || !password) return;
    if (downFor < this.#config.heartbeat.intervalSeconds * 1_000) return;

    const username = this.#config.mqtt.username ?? this.#credentials?.mqttUsername ?? this.deviceId;
    const result = await sendHttpHeartbeat(cloudUrl, { username, password }, heartbeat);
    if (result.clockSkewMs !== null) this.#health.clockSkewMs = result.clockSkewMs;
    if (!result.ok) this.#logger.warn({ status: result.status, err: result.error }, 'HTTP heartbeat failed');
    else this.#logger.info({ status: result.status }, 'heartbeat sent over HTTP while MQTT is down');
  }

  async #checkClock(): Promise<void> {
    this.#health.clockSynchronized = await isClockSynchronized();

    const cloudUrl = this.#config.cloud.url ?? this.#credentials?.cloudUrl;
    if (!cloudUrl) return;
    const sentAt = Date.now();
    const response = await fetch(cloudUrl, { method: 'HEAD', signal: AbortSignal.timeout(10_000) }).catch(() => null);
    const skew = skewFromDateHeader(response?.headers.get('date') ?? null, sentAt, Date.now());
    if (skew === null) return;

    this.#health.clockSkewMs = skew;
    if (Math.abs(skew) > 60_000) this.#logger.warn({ clockSkewMs: skew }, 'device clock differs from the cloud by more than a minute');
  }

  async #disconnect(): Promise<void> {
    const client = this.#client;
    const publisher = this.#publisher;
    if (!client || !publisher) return;

    if (client.connected) {
      const emptied = await publisher.flush(SHUTDOWN_FLUSH_MS);
      if (!emptied) this.#logger.warn({ pending: this.#outbox.stats().pending }, 'outbox not empty at shutdown; it is sent after the next start');
    }
    publisher.stop();

    if (client.connected) {
      await withTimeout(
        client.publishAsync(topics.status(this.deviceId), statusPayload('offline', 'shutdown'), { qos: 1, retain: true }),
        SHUTDOWN_FLUSH_MS,
      ).catch((error: unknown) => this.#logger.warn({ err: errorMessage(error) }, 'offline status not published'));
    }
    await client.endAsync(!client.connected);
  }
}

function describeOutcome(outcome: CycleOutcome): string {
  if (outcome.kind === 'idle') return 'no new image to read';
  if (outcome.kind === 'capture_failed') throw new Error(outcome.error.message);
  const reading = outcome.reading;
  return `reading ${reading.readingId} ${reading.status}${reading.rawValue !== null ? ` (${reading.rawText ?? reading.rawValue})` : ''}`;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
