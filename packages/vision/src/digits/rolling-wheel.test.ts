import { describe, expect, it } from 'vitest';
import { readRollingWheel, type DigitPart, type TemplateFit } from './rolling-wheel.ts';

const FIT: TemplateFit = { checked: 4, agreed: 4 };

// A part whose best template is `digit`, `lead` ahead of every other digit.
function part(cut: DigitPart['cut'], visible: number, phase: number, digit: number, options: Partial<DigitPart> & { lead?: number } = {}): DigitPart {
  const { lead = 0.3, ...rest } = options;
  const scores = Array.from({ length: 10 }, (_, candidate) => (candidate === digit ? 0.4 + lead : 0.4));
  return { cut, visible, phase, scores, allowed: '0123456789', ocrDigit: null, ...rest };
}

describe('readRollingWheel', () => {
  it('reads a wheel half-way from 4 to 5', () => {
    const reading = readRollingWheel('dig5', part('top', 0.55, 0.45, 4), part('bottom', 0.45, -0.55, 5), FIT);

    expect(reading.digit).toBe(4);
    expect(reading.phase).toBeCloseTo(0.45, 2);
    expect(reading.confidence).toBeGreaterThanOrEqual(0.6);
    expect(reading.note).toBeUndefined();
  });

  it('reports the more visible digit', () => {
    const reading = readRollingWheel('dig5', part('top', 0.35, 0.65, 4), part('bottom', 0.65, -0.35, 5), FIT);

    expect(reading.digit).toBe(5);
    expect(reading.phase).toBeCloseTo(-0.35, 2);
  });

  it('pairs 9 with 0', () => {
    const reading = readRollingWheel('dig5', part('top', 0.55, 0.45, 9), part('bottom', 0.45, -0.55, 0), FIT);

    expect(reading.digit).toBe(9);
    expect(reading.confidence).toBeGreaterThanOrEqual(0.6);
  });

  it('reads a lone large part', () => {
    const reading = readRollingWheel('dig5', part('top', 0.85, 0.2, 7, { lead: 0.15 }), null, FIT);

    expect(reading.digit).toBe(7);
    expect(reading.confidence).toBeGreaterThanOrEqual(0.6);
  });

  it('flags parts that are no neighbours', () => {
    const reading = readRollingWheel('dig5', part('top', 0.55, 0.45, 4), part('bottom', 0.5, -0.55, 7), FIT);

    expect(reading.confidence).toBeLessThan(0.6);
    expect(reading.note).toMatch(/looks like/);
  });

  it('flags parts that fit two pairs', () => {
    const upper = part('top', 0.6, 0.4, 4, { lead: 0 });
    upper.scores[6] = upper.scores[4] = 0.7;
    const reading = readRollingWheel('dig5', upper, null, FIT);

    expect(reading.confidence).toBeLessThan(0.6);
    expect(reading.note).toMatch(/almost as well/);
  });

  it('flags a part whose holes exclude the digit', () => {
    const reading = readRollingWheel('dig5', part('top', 0.8, 0.25, 3, { allowed: '068' }), null, FIT);

    expect(reading.confidence).toBeLessThan(0.6);
  });

  it('flags parts not a pitch apart', () => {
    const reading = readRollingWheel('dig5', part('top', 0.55, 0.45, 4), part('bottom', 0.45, -0.2, 5), FIT);

    expect(reading.confidence).toBeLessThan(0.6);
    expect(reading.note).toMatch(/pitch/);
  });

  it('needs templates proven on the image', () => {
    const unproven = readRollingWheel('dig5', part('top', 0.55, 0.45, 4), part('bottom', 0.45, -0.55, 5), { checked: 3, agreed: 2 });
    const confirmed = readRollingWheel('dig5', part('top', 0.55, 0.45, 4, { ocrDigit: 4 }), part('bottom', 0.45, -0.55, 5), { checked: 0, agreed: 0 });

    expect(unproven.confidence).toBeLessThan(0.6);
    expect(unproven.note).toMatch(/no whole digit/);
    expect(confirmed.confidence).toBeGreaterThanOrEqual(0.6);
  });

  it('finds no digit in slivers', () => {
    const reading = readRollingWheel('dig3', part('top', 0.2, 0.7, 0), part('bottom', 0.2, -0.7, 1), FIT);

    expect(reading.digit).toBeNull();
    expect(reading.note).toBe('no digit found in wheel dig3');
  });
});
