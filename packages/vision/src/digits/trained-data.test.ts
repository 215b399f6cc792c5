import { describe, expect, it } from 'vitest';
import { keepComponents } from './trained-data.ts';

// A container with three components: 'aa' at index 0, none at 1, 'bbbb' at 2.
function container(): Buffer {
  const header = Buffer.alloc(4 + 8 * 3);
  header.writeInt32LE(3, 0);
  header.writeBigInt64LE(28n, 4);
  header.writeBigInt64LE(-1n, 12);
  header.writeBigInt64LE(30n, 20);
  return Buffer.concat([header, Buffer.from('aa'), Buffer.from('bbbb')]);
}

describe('keepComponents', () => {
  it('drops unwanted components', () => {
    const stripped = keepComponents(container(), new Set([2]));
    expect(stripped.readInt32LE(0)).toBe(3);
    expect(stripped.readBigInt64LE(4)).toBe(-1n);
    expect(stripped.readBigInt64LE(20)).toBe(28n);
    expect(stripped.subarray(28).toString()).toBe('bbbb');
  });

  it('keeps kept components intact', () => {
    const stripped = keepComponents(container(), new Set([0, 2]));
    expect(stripped.equals(container())).toBe(true);
  });
});
