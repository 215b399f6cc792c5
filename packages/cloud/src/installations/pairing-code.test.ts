import { describe, expect, it } from 'vitest';
import { generatePairingCode, hashPairingCode, normalizePairingCode } from './pairing-code.ts';

describe('pairing codes', () => {
  it('generates two groups of four', () => {
    const codes = new Set(Array.from({ length: 200 }, () => generatePairingCode()));
    expect(codes.size).toBe(200);
    for (const code of codes) expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
  });

  it('normalises typed codes', () => {
    expect(normalizePairingCode(' k7q2 9xmd ')).toBe('K7Q29XMD');
    expect(normalizePairingCode('IOL0-1234')).toBe('10101234');
  });

  it('rejects impossible codes', () => {
    expect(normalizePairingCode('K7Q2-9XM')).toBeNull();
    expect(normalizePairingCode('K7Q2-9XMU')).toBeNull();
  });

  it('hashes the normalised form', () => {
    expect(hashPairingCode('K7Q29XMD')).toMatch(/^sha256\$/);
    expect(hashPairingCode('K7Q29XMD')).not.toContain('K7Q2');
  });
});
