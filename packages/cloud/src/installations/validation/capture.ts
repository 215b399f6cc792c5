import { randomUUID } from 'node:crypto';
import { decodePayload, encodePayload, topics, type ImageMessage } from '@metervision/protocol';
import type { MessageBus } from '../../broker/bus.ts';

/** Failure to get an image from the camera: no broker, a timeout, a failure it reported, an invalid message, or a validation abandoned while waiting. */
export class CaptureError extends Error {
  override name = 'CaptureError';
  constructor(
    message: string,
    readonly code: 'no_broker' | 'timeout' | 'camera_failed' | 'invalid_image_message' | 'aborted',
    readonly deviceId: string,
  ) {
    super(message);
  }
}

export interface CapturedImage {
  commandId: string;
  message: ImageMessage;
  bytes: Buffer;
  /** Milliseconds between the command and the image. */
  roundTripMs: number;
}

/**
 * Asks camera `deviceId` for a fresh image with a `send_image` command (QoS 1) and waits for the
 * matching message on its `images` topic. Subscribes before publishing, so an image that arrives
 * quickly is not missed. A `failed` result on `commands/result` ends the wait early with the camera's message,
 * and so does `signal` when the validation is abandoned.
 */
export async function requestImage(bus: MessageBus | null, deviceId: string, timeoutMs: number, signal?: AbortSignal): Promise<CapturedImage> {
  if (!bus) throw new CaptureError('the cloud runs without an MQTT broker, so it cannot ask the camera for an image', 'no_broker', deviceId);

  const commandId = randomUUID();
  const started = performance.now();
  let resolve!: (image: CapturedImage) => void;
  let reject!: (error: Error) => void;
  const answer = new Promise<CapturedImage>((onResolve, onReject) => {
    resolve = onResolve;
    reject = onReject;
  });
  // The image may arrive while the command is still being published, and it is awaited below.
  answer.catch(() => undefined);
  const unsubscribes: (() => Promise<void>)[] = [];
  const timer = setTimeout(
    () => reject(new CaptureError(`the camera sent no image within ${Math.round(timeoutMs / 1000)} s of the send_image command`, 'timeout', deviceId)),
    timeoutMs,
  );
  const onAbort = () => reject(new CaptureError('the validation was abandoned while waiting for the image', 'aborted', deviceId));
  if (signal?.aborted) onAbort();
  signal?.addEventListener('abort', onAbort, { once: true });

  const onImage = (_topic: string, payload: Buffer) => {
    const decoded = decodePayload('images', payload);
    if (!decoded.ok) {
      const issues = decoded.issues.map((issue) => `${issue.path || 'payload'}: ${issue.message}`).join('; ');
      reject(new CaptureError(`the camera sent an invalid image message (${issues})`, 'invalid_image_message', deviceId));
      return;
    }
    // An image naming no command is taken too: the protocol makes `commandId` optional.
    if (decoded.value.commandId !== undefined && decoded.value.commandId !== commandId) return;
    resolve({ commandId, message: decoded.value, bytes: Buffer.from(decoded.value.image.data, 'base64'), roundTripMs: Math.round(performance.now() - started) });
  };
  const onResult = (_topic: string, payload: Buffer) => {
    const decoded = decodePayload('commands/result', payload);
    if (!decoded.ok || decoded.value.commandId !== commandId || decoded.value.status !== 'failed') return;
    reject(new CaptureError(`the camera could not capture: ${decoded.value.message ?? 'no reason given'}`, 'camera_failed', deviceId));
  };

  try {
    unsubscribes.push(await bus.subscribe(topics.images(deviceId), onImage));
    unsubscribes.push(await bus.subscribe(topics.commandResult(deviceId), onResult));
    const command = encodePayload('commands', { v: 1, commandId, issuedAt: new Date().toISOString(), type: 'send_image' });
    await bus.publish(topics.commands(deviceId), command, { qos: 1 });
    return await answer;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    await Promise.allSettled(unsubscribes.map((unsubscribe) => unsubscribe()));
  }
}
