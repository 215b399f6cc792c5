import { describe, expect, it } from 'vitest';
import { PacketScanner } from './packet-guard.ts';

/** Encodes an MQTT remaining length (1-4 bytes, 7 bits each, low group first). */
function remainingLength(length: number): Buffer {
  const bytes: number[] = [];
  do {
    let byte = length % 128;
    length = Math.floor(length / 128);
    if (length > 0) byte |= 0x80;
    bytes.push(byte);
  } while (length > 0);
  return Buffer.from(bytes);
}

/** Builds a PUBLISH packet whose body is `bodyBytes` zero bytes. */
function packet(bodyBytes: number): Buffer {
  return Buffer.concat([Buffer.from([0x32]), remainingLength(bodyBytes), Buffer.alloc(bodyBytes)]);
}

describe('PacketScanner', () => {
  it('accepts packets up to the limit', () => {
    const scanner = new PacketScanner(1 + 2 + 1000);
    expect(scanner.scan(Buffer.concat([packet(1000), packet(0), packet(10)]))).toEqual({ kind: 'ok' });
  });

  it('rejects one byte over the limit', () => {
    const scanner = new PacketScanner(1 + 2 + 1000);
    expect(scanner.scan(packet(1001))).toEqual({ kind: 'too_large', packetBytes: 1004 });
  });

  it('follows packets split across chunks', () => {
    const scanner = new PacketScanner(1 + 3 + 20_000);
    const stream = Buffer.concat([packet(20_000), packet(5), packet(20_001)]);
    let offset = 0;
    let result = scanner.scan(stream.subarray(0, 0));
    for (; offset < stream.length && result.kind === 'ok'; offset += 7) result = scanner.scan(stream.subarray(offset, offset + 7));

    expect(result).toEqual({ kind: 'too_large', packetBytes: 20_005 });
    // Detected in the chunk holding the end of the third fixed header, not later.
    const thirdHeaderEnd = 20_004 + 7 + 4;
    expect(offset).toBe(Math.ceil(thirdHeaderEnd / 7) * 7);
  });

  it('rejects before the payload arrives', () => {
    const scanner = new PacketScanner(1024);
    const header = Buffer.concat([Buffer.from([0x32]), remainingLength(10_000_000)]);
    // 10,000,000 needs 4 remaining-length bytes.
    expect(scanner.scan(header)).toEqual({ kind: 'too_large', packetBytes: 10_000_005 });
  });

  it('rejects a five-byte remaining length', () => {
    const scanner = new PacketScanner(Number.MAX_SAFE_INTEGER);
    expect(scanner.scan(Buffer.from([0x32, 0xff, 0xff, 0xff, 0xff, 0x01]))).toEqual({ kind: 'malformed' });
  });
});
