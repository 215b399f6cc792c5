import { describe, expect, it } from 'vitest';
import { decodePayload, encodePayload } from './payload.ts';

const reading = {
  v: 1,
  readingId: '0b0c4f7e-4a52-4cf8-9d4b-2f1d5f6a7b8c',
  capturedAt: '2026-12-04T20:00:00.000Z',
  status: 'accepted',
  value: 530.0708,
  text: '00530.0708',
  rawValue: 530.0708,
  rawText: '00530.0708',
  confidence: 0.93,
} as const;

describe('payload', () => {
  it('round-trips a reading with defaults filled', () => {
    const decoded = decodePayload('readings', encodePayload('readings', reading));
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    expect(decoded.value.value).toBe(530.0708);
    expect(decoded.value.unit).toBe('m3');
    expect(decoded.value.digits).toEqual([]);
  });

  it('reports invalid JSON without throwing', () => {
    const decoded = decodePayload('heartbeat', Buffer.from('{not json'));
    expect(decoded.ok).toBe(false);
    if (decoded.ok) return;
    expect(decoded.issues[0]?.message).toMatch(/not valid JSON/);
  });

  it('names each invalid field', () => {
    const decoded = decodePayload('readings', JSON.stringify({ ...reading, confidence: 2, readingId: 'x' }));
    expect(decoded.ok).toBe(false);
    if (decoded.ok) return;
    const paths = decoded.issues.map((issue) => issue.path);
    expect(paths).toContain('confidence');
    expect(paths).toContain('readingId');
  });

  it('rejects a value on a rejected reading', () => {
    const decoded = decodePayload('readings', JSON.stringify({ ...reading, status: 'rejected' }));
    expect(decoded.ok).toBe(false);
  });

  it('rejects a layout without digits or pointers', () => {
    const decoded = decodePayload('config', JSON.stringify({ v: 1, version: 1, layout: {} }));
    expect(decoded.ok).toBe(false);
    if (decoded.ok) return;
    expect(decoded.issues[0]?.path).toBe('layout.digits');
  });

  it.each(['a/#', 'ha/+/x', '$SYS', 'ha//x', '/ha', 'ha/'])('rejects discovery prefix %s', (discoveryPrefix) => {
    const layout = { digits: [{ name: 'd1', x: 0, y: 0, width: 10, height: 20 }] };
    const decoded = decodePayload('config', JSON.stringify({ v: 1, version: 3, layout, homeAssistant: { enabled: true, discoveryPrefix } }));
    expect(decoded.ok).toBe(false);
    if (decoded.ok) return;
    expect(decoded.issues[0]?.path).toBe('homeAssistant.discoveryPrefix');
  });

  it('accepts a nested discovery prefix', () => {
    const layout = { digits: [{ name: 'd1', x: 0, y: 0, width: 10, height: 20 }] };
    const decoded = decodePayload('config', JSON.stringify({ v: 1, version: 3, layout, homeAssistant: { discoveryPrefix: 'site-1/homeassistant' } }));
    expect(decoded.ok).toBe(true);
  });

  it('accepts a minimal device config', () => {
    const layout = { digits: [{ name: 'd1', x: 0, y: 0, width: 10, height: 20 }] };
    const decoded = decodePayload('config', JSON.stringify({ v: 1, version: 3, layout }));
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    expect(decoded.value.schedule.intervalSeconds).toBe(300);
    expect(decoded.value.layout.rotateDegrees).toBe(0);
  });
});
