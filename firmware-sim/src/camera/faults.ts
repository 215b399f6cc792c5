import type { ServerResponse } from 'node:http';

/**
 * Failures the virtual camera can produce on `/capture`, for testing a capture client:
 * - `delay`: respond normally after `ms` milliseconds.
 * - `timeout`: never respond; the connection stays open until the client gives up or the camera closes.
 * - `garbage`: HTTP 200 `image/jpeg` with random bytes that no decoder accepts.
 * - `http-500`: HTTP 500 with a short text body.
 * - `truncated`: a complete HTTP 200 whose JPEG body is cut in half (no end-of-image marker).
 * - `disconnect`: headers announce the full JPEG, then the connection drops halfway through the body.
 */
export type CameraFault =
  | { kind: 'delay'; ms: number }
  | { kind: 'timeout' }
  | { kind: 'garbage' }
  | { kind: 'http-500' }
  | { kind: 'truncated' }
  | { kind: 'disconnect' };

export const FAULT_KINDS = ['delay', 'timeout', 'garbage', 'http-500', 'truncated', 'disconnect'] as const;

/** Longest accepted `delay`, in milliseconds. */
export const MAX_FAULT_DELAY_MS = 600_000;

/** Faults waiting to be applied to the next captures, in order. */
export class FaultQueue {
  private readonly queue: { fault: CameraFault; remaining: number }[] = [];

  /** Applies `fault` to the next `count` captures (default 1; `Infinity` until cleared). */
  add(fault: CameraFault, count = 1): void {
    if (fault.kind === 'delay' && (!Number.isFinite(fault.ms) || fault.ms < 0 || fault.ms > MAX_FAULT_DELAY_MS)) {
      throw new RangeError(`Invalid delay ${fault.ms} ms: use 0 to ${MAX_FAULT_DELAY_MS}.`);
    }
    if (!(count >= 1)) throw new RangeError(`Invalid fault count ${count}: use 1 or more (Infinity until cleared).`);
    this.queue.push({ fault, remaining: count });
  }

  /** Takes the fault for the next capture, or null for a normal one. */
  take(): CameraFault | null {
    const head = this.queue[0];
    if (!head) return null;
    head.remaining -= 1;
    if (head.remaining <= 0) this.queue.shift();
    return head.fault;
  }

  clear(): void {
    this.queue.length = 0;
  }

  pending(): { kind: CameraFault['kind']; remaining: number }[] {
    return this.queue.map(({ fault, remaining }) => ({ kind: fault.kind, remaining }));
  }
}

/** Sends a faulty response for `fault` (all kinds except `delay`, which only postpones a normal response). */
export function sendFaultyCapture(response: ServerResponse, fault: CameraFault, jpeg: Buffer, garbage: Buffer): void {
  switch (fault.kind) {
    case 'http-500':
      response.writeHead(500, { 'Content-Type': 'text/plain' }).end('Camera capture failed (injected fault)\n');
      return;
    case 'garbage':
      response.writeHead(200, { 'Content-Type': 'image/jpeg', 'Content-Length': garbage.length }).end(garbage);
      return;
    case 'truncated': {
      const half = jpeg.subarray(0, Math.floor(jpeg.length / 2));
      response.writeHead(200, { 'Content-Type': 'image/jpeg', 'Content-Length': half.length }).end(half);
      return;
    }
    case 'disconnect':
      response.writeHead(200, { 'Content-Type': 'image/jpeg', 'Content-Length': jpeg.length });
      response.write(jpeg.subarray(0, Math.floor(jpeg.length / 2)), () => response.socket?.destroy());
      return;
    case 'timeout':
    case 'delay':
      return;
  }
}
