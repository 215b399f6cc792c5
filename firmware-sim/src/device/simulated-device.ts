import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import mqtt, { type MqttClient } from 'mqtt';
import { pino, type Logger } from 'pino';
import sharp from 'sharp';
import {
  decodePayload,
  deviceTopic,
  encodePayload,
  parseTopic,
  type DeviceConfig,
  type DeviceError,
  type EmbeddedImage,
  type ReadingMessage,
  type TopicKind,
} from '@metervision/protocol';
import { FlowingMeter } from '../meter/flowing-meter.ts';
import { renderMeter } from '../render/compose.ts';
import { resolveRenderOptions, type ResolvedRenderOptions } from '../render/options.ts';
import { SeededRandom } from '../render/random.ts';
import { meterReading, type MeterReading } from '../render/reading.ts';
import { runCommand } from './commands.ts';
import { handleConfigMessage } from './config-handler.ts';
import { heartbeatMessage, readingMessage, statusPayload } from './messages.ts';
import { deviceKnobsSchema, resolveDeviceOptions, type DeviceKnobs, type ResolvedDeviceKnobs, type ResolvedDeviceOptions, type SimulatedDeviceOptionsInput } from './options.ts';
import { parseOptions } from '../options.ts';
import { DeviceConnectError } from '../errors.ts';
import { checkPlausibility, type PreviousValue } from './plausibility.ts';
import { inQuietHours } from './schedule.ts';

export interface SimulatedDeviceOptions extends SimulatedDeviceOptionsInput {
  logger?: Logger;
}

/** Counters of one device since it started. */
export interface DeviceStats {
  connects: number;
  readingsPublished: number;
  readingsAcknowledged: number;
  imagesPublished: number;
  heartbeatsPublished: number;
  commandsHandled: number;
  outboxPending: number;
  outboxDropped: number;
  configVersion: number | null;
}

/** Counters of a device, all zero. */
export function emptyDeviceCounters(): Omit<DeviceStats, 'configVersion'> {
  return {
    connects: 0,
    readingsPublished: 0,
    readingsAcknowledged: 0,
    imagesPublished: 0,
    heartbeatsPublished: 0,
    commandsHandled: 0,
    outboxPending: 0,
    outboxDropped: 0,
  };
}

/** Default reading interval before a configuration arrives, in seconds (the protocol's default schedule). */
const DEFAULT_READING_INTERVAL_SECONDS = 300;
/** Largest embedded image the protocol accepts, in base64 characters. */
const MAX_EMBEDDED_BASE64 = 2_800_000;
/** Command ids remembered to drop QoS 1 redeliveries of a command already run. */
const RECENT_COMMANDS = 200;

/**
 * A camera device speaking the MeterVision MQTT protocol: client id = device id, retained
 * `online` status with a retained `offline` last will, periodic heartbeats, scheduled readings
 * of a meter that advances with a constant flow, and handling of `config` and `commands`.
 *
 * @example
 * const device = await SimulatedDevice.start({ deviceId: 'cam-1', brokerUrl: 'mqtt://127.0.0.1:1883', password: secret });
 * device.setKnobs({ render: { brightness: 0.2 } }); // send_image now publishes a dark image
 * await device.close();
 */
export class SimulatedDevice {
  readonly deviceId: string;
  readonly meter: FlowingMeter;
  private readonly options: ResolvedDeviceOptions;
  private readonly logger: Logger;
  private readonly random: SeededRandom;
  private readonly client: MqttClient;
  private readonly startedAt = Date.now();
  private readonly recentCommands = new Set<string>();
  private knobs: ResolvedDeviceKnobs;
  private config: DeviceConfig | null = null;
  private reapplyConfig = false;
  private previous: PreviousValue | null = null;
  private lastCaptureAt: Date | null = null;
  private lastError: DeviceError | null = null;
  private captureFailures = 0;
  private imageCount = 0;
  private readonly signalBaseDbm: number;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private readingTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly counters = emptyDeviceCounters();

  private constructor(options: ResolvedDeviceOptions, logger: Logger) {
    this.options = options;
    this.deviceId = options.deviceId;
    this.logger = logger.child({ module: 'simulated-device', deviceId: options.deviceId });
    this.random = new SeededRandom(options.seed ?? seedFromId(options.deviceId));
    this.signalBaseDbm = Math.round(this.random.between(-80, -50));
    this.knobs = options.knobs;
    const render = this.renderShape();
    this.meter = new FlowingMeter({
      startValue: options.startValue,
      flowM3PerHour: options.flowM3PerHour,
      rollover: 10 ** (render.wheels - render.decimalWheels),
    });
    this.client = mqtt.connect(options.brokerUrl, {
      clientId: options.deviceId,
      username: options.username ?? options.deviceId,
      password: options.password,
      protocolVersion: 4,
      // A persistent session keeps the subscriptions, so QoS 1 commands sent while the device is offline still arrive.
      clean: false,
      keepalive: options.keepaliveSeconds,
      reconnectPeriod: options.reconnectPeriodMs,
      connectTimeout: options.connectTimeoutMs,
      will: { topic: this.topic('status'), payload: Buffer.from(statusPayload('offline', new Date())), qos: 1, retain: true },
    });
  }

  /**
   * Connects, publishes `online`, subscribes to `config` and `commands` and sends a first
   * heartbeat. Rejects when the broker refuses the connection or no CONNACK arrives in time.
   */
  static async start(options: SimulatedDeviceOptions): Promise<SimulatedDevice> {
    const { logger, ...rest } = options;
    const device = new SimulatedDevice(resolveDeviceOptions(rest), logger ?? pino({ level: 'silent' }));
    await device.waitForFirstConnect();
    return device;
  }

  /** Merges `knobs` into the current ones; throws InvalidOptionError and keeps the old ones when invalid. */
  setKnobs(knobs: DeviceKnobs): void {
    const merged = parseOptions(deviceKnobsSchema, { ...this.knobs, ...knobs, render: { ...this.knobs.render, ...knobs.render } }, 'device knobs');
    resolveRenderOptions({ ...merged.render, value: 0 });
    const intervalChanged = merged.readingIntervalSeconds !== this.knobs.readingIntervalSeconds;
    this.knobs = merged;
    if (intervalChanged) this.scheduleReadings();
  }

  get connected(): boolean {
    return this.client.connected;
  }

  stats(): DeviceStats {
    return { ...this.counters, configVersion: this.config?.version ?? null };
  }

  /** Returns the active remote configuration, or null before one was applied. */
  activeConfig(): DeviceConfig | null {
    return this.config;
  }

  /** Computes the meter display now (true value plus display offset): text, value and positions. */
  shownReading(): MeterReading {
    return meterReading(this.displayedValue(), this.renderShape());
  }

  /** Returns the continuous value on display, in m³: the true value plus the display offset, wrapped like an odometer. */
  private displayedValue(): number {
    const render = this.renderShape();
    const rollover = 10 ** (render.wheels - render.decimalWheels);
    return (((this.meter.value() + this.knobs.displayOffset) % rollover) + rollover) % rollover;
  }

  /** Runs one capture cycle and publishes the reading at QoS 1; resolves after the PUBACK. */
  async captureNow(): Promise<ReadingMessage> {
    const started = performance.now();
    const capturedAt = new Date();
    const displayed = this.displayedValue();
    const shape = this.renderShape();
    const shown = meterReading(displayed, shape);
    const outcome = this.readingOutcome(shown.value, capturedAt);
    const image = this.attachEvidence(outcome.status) ? await this.evidenceImage(displayed) : undefined;

    const payload = encodePayload(
      'readings',
      readingMessage({
        capturedAt,
        shown,
        integerWheels: shape.wheels - shape.decimalWheels,
        ...outcome,
        meterSerial: this.options.meterSerial ?? this.config?.meterSerial,
        configVersion: this.config?.version ?? null,
        image,
        processingMs: Math.round(performance.now() - started),
      }),
    );
    const message = JSON.parse(payload) as ReadingMessage;
    this.recordCapture(message, capturedAt);
    await this.publishReading(payload, message.readingId);
    return message;
  }

  /** Renders what the meter shows now and publishes it on `images` at QoS 1. */
  async sendImage(commandId?: string): Promise<{ imageId: string }> {
    const rendered = await renderMeter({ ...this.imageOptions(this.displayedValue()), format: 'jpeg' });
    const imageId = randomUUID();
    const image = embed(rendered.image);
    const payload = encodePayload('images', {
      v: 1,
      imageId,
      commandId,
      capturedAt: new Date().toISOString(),
      width: rendered.options.width,
      height: rendered.options.height,
      image,
    });
    await this.client.publishAsync(this.topic('images'), payload, { qos: 1 });
    this.counters.imagesPublished += 1;
    this.logger.debug({ imageId, commandId, bytes: rendered.image.length }, 'image published');
    return { imageId };
  }

  /** Replaces the previous value that plausibility checks compare against. */
  setPreviousValue(value: number): void {
    this.previous = { value, at: new Date() };
    this.logger.info({ value }, 'previous value set');
  }

  /** Fetches the retained configuration again and applies it even when its version is unchanged. */
  async reloadConfig(): Promise<void> {
    this.reapplyConfig = true;
    await this.client.unsubscribeAsync(this.topic('config'));
    await this.client.subscribeAsync(this.topic('config'), { qos: 1 });
  }

  /** Publishes one heartbeat now (QoS 0). */
  async heartbeat(): Promise<void> {
    const payload = encodePayload(
      'heartbeat',
      heartbeatMessage(
        {
          firmwareVersion: this.options.firmwareVersion,
          uptimeSeconds: Math.floor((Date.now() - this.startedAt) / 1000),
          signalDbm: this.signalBaseDbm + Math.round(this.random.between(-3, 3)),
          freeMemoryBytes: Math.round(this.random.between(140_000, 190_000)),
          lastCaptureAt: this.lastCaptureAt,
          lastError: this.lastError,
          outboxPending: this.counters.outboxPending,
          outboxDropped: this.counters.outboxDropped,
          configVersion: this.config?.version ?? null,
          captureFailures: this.captureFailures,
        },
        new Date(),
      ),
    );
    await this.client.publishAsync(this.topic('heartbeat'), payload, { qos: 0 });
    this.counters.heartbeatsPublished += 1;
  }

  /** Drops the TCP connection without DISCONNECT, so the broker publishes the last will; the client then reconnects. */
  dropConnection(): void {
    this.logger.info('dropping the connection');
    this.client.stream.destroy();
  }

  /** Stops like a crash: no `offline` message and no DISCONNECT, so the broker publishes the last will. */
  async crash(): Promise<void> {
    this.stopTimers();
    this.closed = true;
    await this.client.endAsync(true);
    this.logger.info('crashed on purpose');
  }

  /** Publishes a retained `offline` status with reason `shutdown`, then disconnects cleanly. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopTimers();
    if (this.client.connected) {
      await this.client.publishAsync(this.topic('status'), statusPayload('offline', new Date(), 'shutdown'), { qos: 1, retain: true });
    }
    await this.client.endAsync();
    this.logger.info(this.stats(), 'simulated device stopped');
  }

  private topic(kind: TopicKind): string {
    return deviceTopic(this.deviceId, kind);
  }

  /** Resolves the meter's wheels, dials and style from the render knobs. */
  private renderShape(): ResolvedRenderOptions {
    return resolveRenderOptions({ ...this.knobs.render, value: 0 });
  }

  /** Render options of the next image; each image gets its own seed so that noise changes from image to image. */
  private imageOptions(value: number): ResolvedRenderOptions {
    this.imageCount += 1;
    const seed = (((this.knobs.render.seed as number | undefined) ?? seedFromId(this.deviceId)) + this.imageCount) >>> 0;
    return resolveRenderOptions({ ...this.knobs.render, value, seed });
  }

  /** Resolves once the first connection is set up (online published, subscribed, first heartbeat sent). */
  private waitForFirstConnect(): Promise<void> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const fail = (error: Error) => {
        settled = true;
        clearTimeout(timer);
        // The rejection carries the error to the caller, which reports it once.
        this.logger.debug({ err: error }, 'connection failed');
        this.client.end(true);
        reject(new DeviceConnectError(this.deviceId, this.options.brokerUrl, error));
      };
      const onError = (error: Error) => {
        if (settled) this.logger.warn({ err: error }, 'MQTT client error');
        else fail(error);
      };
      const timer = setTimeout(() => fail(new Error(`no CONNACK within ${this.options.connectTimeoutMs} ms`)), this.options.connectTimeoutMs);

      this.client.on('error', onError);
      this.client.on('connect', () => {
        this.onConnect().then(
          () => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            resolve();
          },
          (error: unknown) => this.logger.error({ err: error }, 'connect setup failed'),
        );
      });
      this.client.on('message', (topic, payload) => this.onMessage(topic, payload));
      this.client.on('close', () => this.logger.debug('connection closed'));
      this.client.on('reconnect', () => this.onReconnect());
    });
  }

  /**
   * Refreshes the last will before mqtt.js sends the next CONNECT, so its `at` is the time of that
   * CONNECT as the protocol defines. mqtt.js 5 emits `reconnect` before it builds the packet from `options.will`.
   */
  private onReconnect(): void {
    this.logger.debug('reconnecting');
    const will = this.client.options.will;
    if (will) will.payload = Buffer.from(statusPayload('offline', new Date()));
  }

  private async onConnect(): Promise<void> {
    this.counters.connects += 1;
    this.logger.info({ connects: this.counters.connects }, 'connected');
    await this.client.publishAsync(this.topic('status'), statusPayload('online', new Date()), { qos: 1, retain: true });
    await this.client.subscribeAsync({ [this.topic('config')]: { qos: 1 }, [this.topic('commands')]: { qos: 1 } });
    await this.heartbeat();
    if (!this.heartbeatTimer) this.scheduleHeartbeat(this.random.between(0, this.options.heartbeatIntervalSeconds));
    if (!this.readingTimer) this.scheduleReadings(true);
  }

  /**
   * Schedules the next heartbeat. The first one after start comes at a random point of the
   * interval, so a fleet started at once does not send its heartbeats in step.
   */
  private scheduleHeartbeat(delaySeconds: number): void {
    if (this.closed || this.options.heartbeatIntervalSeconds === 0) return;
    this.heartbeatTimer = setTimeout(() => {
      this.heartbeat().catch((error: unknown) => this.logger.warn({ err: error }, 'heartbeat failed'));
      this.scheduleHeartbeat(this.options.heartbeatIntervalSeconds);
    }, delaySeconds * 1000);
  }

  private onMessage(topic: string, payload: Buffer): void {
    const parsed = parseTopic(topic);
    if (parsed?.deviceId !== this.deviceId) {
      this.logger.warn({ topic }, 'message on a foreign topic dropped');
      return;
    }
    if (parsed.kind === 'config') this.onConfig(payload);
    else if (parsed.kind === 'commands') this.onCommand(payload).catch((error: unknown) => this.logger.error({ err: error }, 'command failed'));
  }

  private onConfig(payload: Buffer): void {
    const outcome = handleConfigMessage(payload, this.config?.version ?? null, this.reapplyConfig, new Date());
    this.reapplyConfig = false;
    if (outcome.kind === 'unchanged') return;

    if (outcome.kind === 'applied') {
      this.config = outcome.config;
      this.scheduleReadings();
      this.logger.info({ version: outcome.config.version }, 'configuration applied');
    } else {
      this.logger.warn({ version: outcome.report.version, issues: outcome.report.issues }, 'configuration rejected');
    }
    this.client.publishAsync(this.topic('config/report'), encodePayload('config/report', outcome.report), { qos: 1 }).catch((error: unknown) => {
      this.logger.warn({ err: error }, 'config report not published');
    });
  }

  private async onCommand(payload: Buffer): Promise<void> {
    const decoded = decodePayload('commands', payload);
    if (!decoded.ok) {
      this.logger.warn({ issues: decoded.issues }, 'invalid command dropped');
      return;
    }
    const command = decoded.value;
    if (this.recentCommands.has(command.commandId)) {
      this.logger.debug({ commandId: command.commandId }, 'duplicate command dropped');
      return;
    }
    this.rememberCommand(command.commandId);

    this.logger.info({ commandId: command.commandId, type: command.type }, 'command received');
    const result = await runCommand(this, command);
    this.counters.commandsHandled += 1;
    await this.client.publishAsync(this.topic('commands/result'), encodePayload('commands/result', result), { qos: 1 });
    this.logger.info({ commandId: command.commandId, type: command.type, status: result.status }, 'command result published');
  }

  private rememberCommand(commandId: string): void {
    this.recentCommands.add(commandId);
    if (this.recentCommands.size <= RECENT_COMMANDS) return;
    const oldest = this.recentCommands.values().next().value;
    if (oldest !== undefined) this.recentCommands.delete(oldest);
  }

  private readingOutcome(value: number, at: Date): { status: ReadingMessage['status']; reasonCode?: string; reason?: string } {
    switch (this.knobs.forceStatus) {
      case 'flagged':
        return { status: 'flagged', reasonCode: 'low_confidence', reason: 'confidence below the minimum (forced by a knob)' };
      case 'rejected':
        return { status: 'rejected', reasonCode: 'max_delta', reason: 'implausible change (forced by a knob)' };
      case 'failed':
        return { status: 'failed', reasonCode: 'capture_failed', reason: 'camera capture failed (forced by a knob)' };
      case undefined:
        break;
    }
    const rules = this.config?.plausibility ?? { allowNegativeRate: false };
    const check = checkPlausibility(value, at, this.previous, rules);
    if (check.accepted) return { status: 'accepted' };
    return { status: 'rejected', reasonCode: check.code, reason: check.reason };
  }

  private recordCapture(message: ReadingMessage, capturedAt: Date): void {
    this.lastCaptureAt = capturedAt;
    if (message.status === 'failed') {
      this.captureFailures += 1;
      this.lastError = { code: message.reasonCode ?? 'capture_failed', message: message.reason ?? 'capture failed', at: capturedAt.toISOString() };
      return;
    }
    this.captureFailures = 0;
    this.lastError = null;
    if (message.status === 'accepted' && message.value !== null) this.previous = { value: message.value, at: capturedAt };
  }

  private async publishReading(payload: string, readingId: string): Promise<void> {
    if (this.counters.outboxPending >= this.options.maxOutbox) {
      this.counters.outboxDropped += 1;
      this.logger.warn({ readingId, pending: this.counters.outboxPending }, 'outbox full, reading dropped');
      return;
    }
    this.counters.outboxPending += 1;
    this.counters.readingsPublished += 1;
    try {
      await this.client.publishAsync(this.topic('readings'), payload, { qos: 1 });
      this.counters.readingsAcknowledged += 1;
      this.logger.debug({ readingId }, 'reading acknowledged');
    } finally {
      this.counters.outboxPending -= 1;
    }
  }

  private attachEvidence(status: ReadingMessage['status']): boolean {
    if (this.options.evidence === 'never' || status === 'failed') return false;
    if (this.options.evidence === 'always') return true;
    const attach = this.config?.evidence.attach ?? 'never';
    return attach === 'always' || (attach === 'unless_accepted' && status !== 'accepted');
  }

  /** Renders the evidence image, scaled to the configuration's maximum width and JPEG quality. */
  private async evidenceImage(value: number): Promise<EmbeddedImage> {
    const evidence = this.config?.evidence ?? { maxWidth: 640, jpegQuality: 75 };
    const rendered = await renderMeter({ ...this.imageOptions(value), format: 'png' });
    const jpeg = await sharp(rendered.image)
      .resize({ width: evidence.maxWidth, withoutEnlargement: true })
      .jpeg({ quality: evidence.jpegQuality })
      .toBuffer();
    return embed(jpeg);
  }

  private scheduleReadings(firstAfterConnect = false): void {
    if (this.readingTimer) clearTimeout(this.readingTimer);
    this.readingTimer = null;
    if (this.closed) return;

    const interval = this.knobs.readingIntervalSeconds ?? this.config?.schedule.intervalSeconds ?? DEFAULT_READING_INTERVAL_SECONDS;
    if (interval === 0) return;
    const jitter = this.config?.schedule.jitterSeconds ?? 0;
    // The first reading comes at a random point of the interval, so a fleet started at once spreads out.
    const delaySeconds = firstAfterConnect ? this.random.between(0, interval) : interval + this.random.between(0, jitter);

    this.readingTimer = setTimeout(() => {
      this.readingTimer = null;
      this.scheduledCapture();
      this.scheduleReadings();
    }, delaySeconds * 1000);
  }

  private scheduledCapture(): void {
    if (this.config && inQuietHours(this.config.schedule, new Date())) {
      this.logger.debug('scheduled capture skipped in quiet hours');
      return;
    }
    this.captureNow().catch((error: unknown) => this.logger.warn({ err: error }, 'scheduled capture failed'));
  }

  private stopTimers(): void {
    if (this.heartbeatTimer) clearTimeout(this.heartbeatTimer);
    if (this.readingTimer) clearTimeout(this.readingTimer);
    this.heartbeatTimer = null;
    this.readingTimer = null;
  }
}

function embed(jpeg: Buffer): EmbeddedImage {
  const data = jpeg.toString('base64');
  if (data.length > MAX_EMBEDDED_BASE64) {
    throw new Error(`Image of ${jpeg.length} bytes exceeds the protocol limit of 2 MiB: lower the width, height or jpegQuality knob.`);
  }
  return { contentType: 'image/jpeg', data };
}

/** Derives a stable seed from the device id (FNV-1a), so two devices of a fleet differ but each run repeats. */
function seedFromId(id: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < id.length; index += 1) {
    hash ^= id.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
