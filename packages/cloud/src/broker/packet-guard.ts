import type { Socket } from 'node:net';
import type { Logger } from 'pino';

/**
 * Largest MQTT packet the embedded broker accepts by default, in bytes, fixed header included:
 * 4 MiB. The largest device message is an image of at most 2 MiB sent as base64 (2,796,204
 * characters) inside JSON, about 2.8 MB, so this leaves room for the JSON around it.
 */
export const DEFAULT_MAX_PACKET_BYTES = 4 * 1024 * 1024;

/**
 * Bytes a connection may send before it authenticates. A CONNECT with a last will is well
 * under 1 KiB, and aedes would otherwise buffer a declared packet of up to 256 MiB from anyone.
 */
export const MAX_BYTES_BEFORE_AUTHENTICATION = 64 * 1024;

/** Remaining length of MQTT 3.1.1 and 5 takes at most 4 bytes (section 2.2.3 of both). */
const MAX_REMAINING_LENGTH_BYTES = 4;

type ScanResult = { kind: 'ok' } | { kind: 'too_large'; packetBytes: number } | { kind: 'malformed' };

/**
 * Follows the MQTT packet boundaries in a byte stream from their fixed headers alone, so the size
 * of each packet is known as soon as its remaining length arrives, long before its payload does.
 */
export class PacketScanner {
  #state: 'type' | 'length' | 'body' = 'type';
  #remainingLength = 0;
  #lengthBytes = 0;
  #bodyLeft = 0;

  constructor(private readonly maxPacketBytes: number) {}

  /**
   * Scans the next chunk of the stream and reports the first packet declared larger than the
   * limit. After a report the boundaries are lost, so the connection must close.
   */
  scan(chunk: Buffer): ScanResult {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.#state === 'body') {
        const skipped = Math.min(this.#bodyLeft, chunk.length - offset);
        this.#bodyLeft -= skipped;
        offset += skipped;
        if (this.#bodyLeft === 0) this.#state = 'type';
        continue;
      }

      const byte = chunk[offset++]!;
      if (this.#state === 'type') {
        this.#state = 'length';
        this.#remainingLength = 0;
        this.#lengthBytes = 0;
        continue;
      }

      this.#remainingLength += (byte & 0x7f) * 128 ** this.#lengthBytes;
      this.#lengthBytes++;
      if (byte & 0x80) {
        if (this.#lengthBytes === MAX_REMAINING_LENGTH_BYTES) return { kind: 'malformed' };
        continue;
      }

      const packetBytes = 1 + this.#lengthBytes + this.#remainingLength;
      if (packetBytes > this.maxPacketBytes) return { kind: 'too_large', packetBytes };
      this.#bodyLeft = this.#remainingLength;
      this.#state = this.#bodyLeft === 0 ? 'type' : 'body';
    }
    return { kind: 'ok' };
  }
}

export interface PacketGuardOptions {
  maxPacketBytes: number;
  logger: Logger;
  /** Client id once the CONNECT was read, for logs. */
  clientId: () => string | null;
}

/**
 * Watches the bytes aedes reads from `socket` and destroys the connection when it sends more than
 * MAX_BYTES_BEFORE_AUTHENTICATION before it authenticates, or declares a packet larger than
 * `maxPacketBytes`. MQTT 3.1.1 has no reason code for a packet too large, so closing the connection
 * is the only response. Only this connection closes, before aedes has buffered the payload.
 * Returns the function to call once the client authenticated, which lifts the first limit.
 */
export function guardPackets(socket: Socket, options: PacketGuardOptions): () => void {
  const scanner = new PacketScanner(options.maxPacketBytes);
  let authenticated = false;
  let received = 0;

  const reject = (reason: string, details: Record<string, unknown>) => {
    socket.off('data', watch);
    options.logger.warn({ deviceId: options.clientId(), remoteAddress: socket.remoteAddress, ...details }, reason);
    socket.destroy();
  };

  // With aedes' 'readable' listener in place, 'data' fires for each chunk aedes reads, just
  // before its parser receives that chunk.
  const watch = (chunk: Buffer) => {
    received += chunk.length;
    if (!authenticated && received > MAX_BYTES_BEFORE_AUTHENTICATION) {
      return reject('connection sent too much before authenticating; closed', { bytes: received, limit: MAX_BYTES_BEFORE_AUTHENTICATION });
    }

    const result = scanner.scan(chunk);
    if (result.kind === 'too_large') {
      reject('packet larger than the maximum packet size; connection closed', { packetBytes: result.packetBytes, maxPacketBytes: options.maxPacketBytes });
    } else if (result.kind === 'malformed') {
      reject('packet with a malformed remaining length; connection closed', {});
    }
  };
  socket.on('data', watch);

  return () => {
    authenticated = true;
  };
}
