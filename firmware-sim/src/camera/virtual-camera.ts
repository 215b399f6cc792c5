import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino, type Logger } from 'pino';
import { InvalidOptionError } from '../errors.ts';
import { FlowingMeter } from '../meter/flowing-meter.ts';
import { renderMeter, type RenderedMeter } from '../render/compose.ts';
import { resolveRenderOptions, type RenderOptions } from '../render/options.ts';
import { meterReading } from '../render/reading.ts';
import { Authenticator, type CameraAuth } from './auth.ts';
import { controlRequestSchema } from './control.ts';
import { FaultQueue, sendFaultyCapture, type CameraFault } from './faults.ts';

/** Render knobs of a camera: every render option except the value, which comes from the meter. */
export type CameraKnobs = Omit<RenderOptions, 'value'>;

export interface VirtualCameraOptions {
  /** Address to listen on. Default `127.0.0.1` (loopback only). */
  host?: string;
  /** TCP port; 0 picks a free one. Default 0. */
  port?: number;
  /** True meter value at start, in m³. Default 0. */
  startValue?: number;
  /** Flow through the meter in m³ per hour. Default 0.5. */
  flowM3PerHour?: number;
  /** Meter and image knobs (wheels, dials, style, blur, brightness, ...), as for `renderMeter`. Default: its defaults. */
  knobs?: CameraKnobs;
  /** Require HTTP authentication. Default: none. */
  auth?: CameraAuth;
  /** Clock in milliseconds for the meter's flow. Default `Date.now`. */
  clock?: () => number;
  logger?: Logger;
}

/** Body of the `/status` response. */
export interface CameraStatus {
  /** The value the meter shows now, truncated to its last wheel or dial, in m³. */
  value: number;
  text: string;
  /** The continuous true value, not truncated. */
  exactValue: number;
  flowM3PerHour: number;
  captures: number;
  pendingFaults: { kind: CameraFault['kind']; remaining: number }[];
  knobs: CameraKnobs;
}

/**
 * A virtual ESP32-CAM: an HTTP snapshot server whose `GET /capture` returns a freshly rendered
 * JPEG of a meter that advances with a constant flow. `/status` returns the true value, `/layout`
 * the meter layout, and `POST /control` changes value, flow, knobs and faults from another process.
 * Each capture carries its truth in the `X-Meter-Value` and `X-Meter-Text` headers.
 *
 * @example
 * const camera = await VirtualCamera.start({ startValue: 123.456, flowM3PerHour: 0.5 });
 * const jpeg = await (await fetch(`${camera.url}/capture`)).arrayBuffer();
 * await camera.close();
 */
export class VirtualCamera {
  readonly meter: FlowingMeter;
  private readonly server: Server;
  private readonly logger: Logger;
  private readonly faults = new FaultQueue();
  private readonly authenticator: Authenticator | null;
  private knobs: CameraKnobs;
  private captureCount = 0;
  private address: AddressInfo | null = null;

  private constructor(options: VirtualCameraOptions) {
    this.logger = (options.logger ?? pino({ level: 'silent' })).child({ module: 'virtual-camera' });
    this.knobs = validateKnobs(options.knobs ?? {});
    const integerWheels = (this.knobs.wheels ?? 5) - (this.knobs.decimalWheels ?? 0);
    this.meter = new FlowingMeter({
      startValue: options.startValue ?? 0,
      flowM3PerHour: options.flowM3PerHour ?? 0.5,
      rollover: 10 ** integerWheels,
      clock: options.clock,
    });
    this.authenticator = options.auth ? new Authenticator(options.auth) : null;
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => this.failRequest(response, error));
    });
  }

  /** Starts a camera and resolves once it listens. */
  static async start(options: VirtualCameraOptions = {}): Promise<VirtualCamera> {
    const camera = new VirtualCamera(options);
    await new Promise<void>((resolve, reject) => {
      camera.server.once('error', reject);
      camera.server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
    });
    camera.address = camera.server.address() as AddressInfo;
    camera.logger.info({ url: camera.url, auth: options.auth?.scheme ?? 'none' }, 'virtual camera listening');
    return camera;
  }

  /** Base URL, for example `http://127.0.0.1:8081`. */
  get url(): string {
    if (!this.address) throw new Error('The virtual camera is not listening: await VirtualCamera.start() first.');
    const host = this.address.family === 'IPv6' ? `[${this.address.address}]` : this.address.address;
    return `http://${host}:${this.address.port}`;
  }

  get port(): number {
    return this.address?.port ?? 0;
  }

  /** Merges `knobs` into the current render knobs; throws InvalidOptionError and keeps the old ones when invalid. */
  setKnobs(knobs: CameraKnobs): void {
    this.knobs = validateKnobs({ ...this.knobs, ...knobs });
  }

  /** Makes the next `count` captures fail with `fault` (default 1; `Infinity` until cleared). */
  injectFault(fault: CameraFault, count = 1): void {
    this.faults.add(fault, count);
    this.logger.info({ fault: fault.kind, count }, 'fault injected');
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /** Renders the current camera view and counts it as a capture, without serving it. */
  async snapshot(): Promise<RenderedMeter> {
    this.captureCount += 1;
    return this.render();
  }

  status(): CameraStatus {
    const exactValue = this.meter.value();
    const shown = shownReading(exactValue, this.knobs);
    return {
      ...shown,
      exactValue,
      flowM3PerHour: this.meter.flowM3PerHour(),
      captures: this.captureCount,
      pendingFaults: this.faults.pending(),
      knobs: this.knobs,
    };
  }

  /** Stops listening and drops open connections, including those held by a `timeout` fault. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
    this.logger.info({ captures: this.captureCount }, 'virtual camera stopped');
  }

  /** Renders the current view; each capture gets its own seed so that noise changes from frame to frame. */
  private render(): Promise<RenderedMeter> {
    const seed = ((this.knobs.seed ?? 1) + this.captureCount) >>> 0;
    return renderMeter({ ...this.knobs, value: this.meter.value(), format: 'jpeg', seed });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://camera').pathname;
    if (this.authenticator) {
      const outcome = this.authenticator.check(request);
      if (!outcome.ok) {
        this.logger.warn({ path, reason: outcome.reason }, 'request not authenticated');
        response.writeHead(401, { 'WWW-Authenticate': outcome.challenge, 'Content-Type': 'text/plain' }).end('Unauthorized\n');
        return;
      }
    }

    const route = `${request.method} ${path}`;
    if (route === 'GET /capture') return this.handleCapture(response);
    if (route === 'GET /status') return sendJson(response, 200, this.status());
    if (route === 'GET /layout') return sendJson(response, 200, (await this.render()).layout);
    if (route === 'POST /control') return this.handleControl(request, response);

    const known = ['/capture', '/status', '/layout', '/control'].includes(path);
    sendJson(response, known ? 405 : 404, { detail: `${known ? 'Method not allowed' : 'Not found'}: ${route}` });
  }

  private async handleCapture(response: ServerResponse): Promise<void> {
    const fault = this.faults.take();
    if (fault?.kind === 'delay') await new Promise((resolve) => setTimeout(resolve, fault.ms));
    if (fault?.kind === 'timeout') {
      this.logger.debug('capture held open by a timeout fault');
      return;
    }

    const rendered = await this.snapshot();
    if (fault && fault.kind !== 'delay') {
      this.logger.debug({ fault: fault.kind }, 'capture responded with a fault');
      sendFaultyCapture(response, fault, rendered.image, randomBytes(rendered.image.length));
      return;
    }

    response.writeHead(200, {
      'Content-Type': 'image/jpeg',
      'Content-Length': rendered.image.length,
      'Cache-Control': 'no-store',
      'X-Meter-Value': String(rendered.value),
      'X-Meter-Text': rendered.text,
    });
    response.end(rendered.image);
  }

  private async handleControl(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const text = await readBody(request);
    if (text === null) return sendJson(response, 413, { detail: `Body exceeds ${MAX_BODY_BYTES} bytes: send only the fields to change.` });

    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (error) {
      return sendJson(response, 400, { detail: `Body is not valid JSON: ${(error as Error).message}` });
    }
    const parsed = controlRequestSchema.safeParse(body);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
      return sendJson(response, 422, { detail: 'Invalid control request', issues });
    }

    const control = parsed.data;
    try {
      if (control.knobs) this.setKnobs(control.knobs as CameraKnobs);
      if (control.value !== undefined) this.meter.setValue(control.value);
      if (control.flowM3PerHour !== undefined) this.meter.setFlow(control.flowM3PerHour);
    } catch (error) {
      return sendJson(response, 422, { detail: (error as Error).message });
    }
    if (control.clearFaults) this.clearFaults();
    if (control.fault) {
      const { kind, ms, count } = control.fault;
      this.injectFault(kind === 'delay' ? { kind, ms: ms ?? 0 } : { kind }, count ?? 1);
    }
    sendJson(response, 200, this.status());
  }

  private failRequest(response: ServerResponse, error: unknown): void {
    this.logger.error({ err: error }, 'request failed');
    if (!response.headersSent) sendJson(response, 500, { detail: 'Internal error in the virtual camera' });
    else response.destroy();
  }
}

function validateKnobs(knobs: CameraKnobs): CameraKnobs {
  if ('value' in knobs) {
    throw new InvalidOptionError('camera', [{ path: 'knobs.value', received: (knobs as { value: unknown }).value, message: 'set the value with startValue or setValue' }]);
  }
  resolveRenderOptions({ ...knobs, value: 0 });
  return knobs;
}

function shownReading(exactValue: number, knobs: CameraKnobs): { value: number; text: string } {
  const options = resolveRenderOptions({ ...knobs, value: exactValue });
  const { value, text } = meterReading(exactValue, options);
  return { value, text };
}

/** Largest accepted control body, in bytes. */
const MAX_BODY_BYTES = 64 * 1024;

/** Reads the request body as text; null when it exceeds MAX_BODY_BYTES. */
async function readBody(request: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  response.end(text);
}
