import { readFileSync } from 'node:fs';
import { type DeviceConfig, meterSerialSchema } from '@metervision/protocol';
import { MeterReader } from '@metervision/vision';
import pino, { type Logger } from 'pino';
import { type CaptureSource, createCaptureSource } from './capture/index.ts';
import { type AgentConfig, loadConfigFile, LOCAL_CONFIG_VERSION } from './config/load.ts';
import { type Credentials, readCredentials } from './credentials.ts';
import { errorMessage } from './errors.ts';
import { HealthReporter } from './health-reporter.ts';
import { createHealth, recordOutcome } from './health.ts';
import { handleCommandMessage } from './mqtt/commands.ts';
import { DeviceLink } from './mqtt/device-link.ts';
import { discoveryMessages } from './mqtt/home-assistant.ts';
import { handleConfigMessage } from './mqtt/remote-config.ts';
import { type AgentDatabase, openAgentDatabase } from './outbox/db.ts';
import { Outbox, type OutboxStats } from './outbox/outbox.ts';
import { StateStore } from './outbox/state.ts';
import { type CycleOutcome, type ImageReader, runCycle } from './pipeline.ts';
import { createCommandHandlers } from './remote-commands.ts';
import { nextCaptureAt } from './schedule.ts';
import { awaitsConfiguration, pairingInUse, recordConfiguredPairing, type ScheduleState } from './schedule-gate.ts';
import { SystemdNotifier } from './watchdog.ts';

/** Version reported in heartbeats: the agent package's version. */
export const FIRMWARE_VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const CLOCK_CHECK_INTERVAL_MS = 3_600_000;
/** Extra time a cycle may take beyond its capture attempts and backoffs before the watchdog stops. */
const CYCLE_GRACE_MS = 120_000;

export interface AgentOptions {
  logger?: Logger;
  /** A reader to share (tests, benchmarks); the agent does not close it. Default: a new MeterReader with one worker. */
  reader?: ImageReader & { close?(): Promise<void> };
  /**
   * Run captures on the configured schedule. Default true; false leaves only `captureNow` and
   * commands. With pairing credentials the schedule waits for the cloud's configuration.
   */
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
  /** `awaiting_configuration` while a paired agent waits for the configuration of its completed installation. */
  schedule: ScheduleState;
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
  readonly #reporter: HealthReporter;
  readonly #notifier: SystemdNotifier;
  readonly #shutdown = new AbortController();
  readonly #timers = new Set<NodeJS.Timeout>();
  #source: CaptureSource;
  #reader: (ImageReader & { close?(): Promise<void> }) | null = null;
  #remote: DeviceConfig | null;
  #credentials: Credentials | null = null;
  /** `pairedAt` of the pairing credentials in use; null when running without pairing. */
  #pairedAt: string | null = null;
  #scheduleState: ScheduleState = 'off';
  #link: DeviceLink | null = null;
  #cycle: Promise<unknown> = Promise.resolve();
  #cycleStartedAt: number | null = null;
  #scheduleTimer: NodeJS.Timeout | null = null;
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
    this.#reporter = new HealthReporter({
      health: this.#health,
      firmwareVersion: FIRMWARE_VERSION,
      intervalSeconds: config.heartbeat.intervalSeconds,
      link: () => this.#link,
      figures: () => {
        const stats = this.#outbox.stats();
        return { outboxPending: stats.pending, outboxDropped: stats.dropped, configVersion: this.#remote?.version ?? null, schedule: this.#scheduleState };
      },
      cloud: () => this.#cloudAccess(),
      logger: this.#base.child({ module: 'heartbeat' }),
    });
  }

  async start(): Promise<void> {
    this.#logger.info(
      { source: this.#source.description, stateDir: this.#config.stateDir, configVersion: this.#activeVersion(), pending: this.#outbox.stats().pending },
      'agent starting',
    );
    // Credentials first: a damaged file then fails the start before any OCR worker exists.
    this.#credentials = await readCredentials(this.#config.stateDir);
    this.#reader = this.#options.reader ?? (await MeterReader.create({ workers: 1, logger: this.#base }));
    this.#pairedAt = pairingInUse(this.#credentials, this.#config.mqtt.password);
    this.#link = this.#connect();

    this.#every(this.#config.heartbeat.intervalSeconds * 1_000, () => this.#reporter.sendHeartbeat());
    this.#every(CLOCK_CHECK_INTERVAL_MS, () => this.#reporter.checkClock());
    this.#runTask(() => this.#reporter.checkClock());
    this.#startSchedule();

    this.#notifier.ready();
    if (this.#config.watchdog) this.#notifier.startWatchdog(() => this.#isHealthy());
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
      connected: this.#link?.connected ?? false,
      outbox: this.#outbox.stats(),
      configVersion: this.#activeVersion(),
      captureFailures: this.#health.captureFailures,
      lastError: this.#health.lastError?.message ?? null,
      schedule: this.#scheduleState,
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
    await this.#link?.close();
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
          config: () => ({ device: this.#deviceWithSerial(), remoteVersion: this.#remote?.version ?? null }),
          onQueued: () => this.#link?.publisher.kick(),
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

  /** Starts the schedule with a capture right away (plus jitter), unless it is off or has to wait. */
  #startSchedule(): void {
    if (this.#options.schedule === false) return;

    if (awaitsConfiguration(this.#state, this.#pairedAt)) {
      this.#scheduleState = 'awaiting_configuration';
      this.#logger.info(
        { pairedAt: this.#pairedAt, configVersion: this.#activeVersion() },
        'scheduled captures wait for the configuration the cloud sends when the installation is completed; commands still run',
      );
      return;
    }

    this.#scheduleState = 'running';
    this.#scheduleNext(new Date(Date.now() - this.#device().schedule.intervalSeconds * 1_000));
  }

  #scheduleNext(from: Date): void {
    if (this.#closing) return;

    const at = nextCaptureAt(from, this.#device().schedule);
    if (this.#scheduleTimer) clearTimeout(this.#scheduleTimer);
    this.#scheduleTimer = setTimeout(() => {
      this.captureNow()
        .catch((error: unknown) => this.#logger.error({ err: errorMessage(error) }, 'scheduled cycle failed'))
        .finally(() => this.#scheduleNext(new Date()));
    }, Math.max(0, at.getTime() - Date.now()));
    this.#logger.debug({ nextCaptureAt: at.toISOString() }, 'next capture scheduled');
  }

  #device(): DeviceConfig {
    return this.#remote ?? this.#config.device;
  }

  /** The configuration in use, with the meter serial from pairing when the configuration has none. */
  #deviceWithSerial(): DeviceConfig {
    const device = this.#device();
    if (device.meterSerial) return device;

    const paired = meterSerialSchema.safeParse(this.#credentials?.meterSerial);
    return paired.success ? { ...device, meterSerial: paired.data } : device;
  }

  #activeVersion(): number {
    return this.#remote?.version ?? LOCAL_CONFIG_VERSION;
  }

  /** Healthy while no cycle has run longer than every capture attempt and backoff could take, plus a grace period. */
  #isHealthy(): boolean {
    if (this.#cycleStartedAt === null) return true;

    const { attempts, maxDelayMs } = this.#config.retry;
    const limit = attempts * (this.#device().capture.timeoutMs + maxDelayMs) + CYCLE_GRACE_MS;
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

  #cloudAccess() {
    return {
      url: this.#config.cloud.url ?? this.#credentials?.cloudUrl ?? null,
      username: this.#config.mqtt.username ?? this.#credentials?.mqttUsername ?? this.deviceId,
      password: this.#config.mqtt.password ?? this.#credentials?.mqttPassword ?? null,
      httpHeartbeat: this.#config.cloud.httpHeartbeat,
    };
  }

  #connect(): DeviceLink | null {
    const mqtt = this.#config.mqtt;
    const url = mqtt.url ?? this.#credentials?.mqttUrl ?? null;
    if (!url) {
      this.#logger.warn('no broker URL: not paired and mqtt.url unset; readings stay in the outbox until the device is paired');
      return null;
    }

    const access = this.#cloudAccess();
    return new DeviceLink({
      deviceId: this.deviceId,
      url,
      username: access.username,
      password: access.password ?? undefined,
      settings: mqtt,
      outbox: this.#outbox,
      logger: this.#base,
      onConnect: () => {
        this.#publishDiscovery();
        this.#runTask(() => this.#reporter.sendHeartbeat());
      },
      onConfig: (payload) =>
        handleConfigMessage(payload, {
          activeVersion: () => this.#activeVersion(),
          apply: async (config) => this.#applyRemoteConfig(config),
          logger: this.#base.child({ module: 'remote-config' }),
        }),
      onCommand: (payload) => handleCommandMessage(payload, this.#commandHandlers(), this.#base.child({ module: 'commands' })),
    });
  }

  #commandHandlers() {
    return createCommandHandlers({
      captureNow: () => this.captureNow(),
      source: () => this.#source,
      captureSettings: () => this.#device().capture,
      retry: () => this.#config.retry,
      link: () => this.#link,
      state: this.#state,
      reload: () => this.#reload(),
      signal: this.#shutdown.signal,
      logger: this.#base.child({ module: 'commands' }),
    });
  }

  async #applyRemoteConfig(config: DeviceConfig): Promise<void> {
    const discoveryChanged = JSON.stringify(config.homeAssistant) !== JSON.stringify(this.#device().homeAssistant);
    this.#state.transaction(() => {
      this.#state.remoteConfig = config;
      recordConfiguredPairing(this.#state, this.#pairedAt);
    });
    this.#remote = config;

    if (this.#scheduleState === 'running') this.#scheduleNext(new Date());
    if (this.#scheduleState === 'awaiting_configuration') {
      this.#logger.info({ configVersion: config.version }, 'configuration of the completed installation applied; scheduled captures start');
      this.#startSchedule();
    }
    if (discoveryChanged) this.#publishDiscovery();
  }

  async #reload(): Promise<string> {
    const file = this.#config.file;
    if (file) {
      const reloaded = await loadConfigFile(file);
      this.#config = { ...reloaded, mqtt: this.#config.mqtt, stateDir: this.#config.stateDir };
      this.#source = createCaptureSource(reloaded.source, { seen: this.#state.seenFiles() });
    }

    await this.#link?.refetchConfig();
    return file ? `reloaded ${file}; broker and state directory changes need a restart` : 'reloaded the remote configuration';
  }

  /**
   * Publishes Home Assistant discovery when it is on, and the removal messages once after it was
   * switched off. Nothing goes out while it stays off: a cloud broker rejects topics outside the
   * device's own, and may drop the connection for it.
   */
  #publishDiscovery(): void {
    const link = this.#link;
    if (!link?.connected) return;

    const enabled = this.#device().homeAssistant.enabled;
    const published = this.#state.getJson<boolean>('homeAssistant.published') ?? false;
    if (!enabled && !published) return;

    for (const message of discoveryMessages(this.deviceId, this.#device(), FIRMWARE_VERSION)) link.publishRetained(message.topic, message.payload);
    this.#state.setJson('homeAssistant.published', enabled);
  }
}
