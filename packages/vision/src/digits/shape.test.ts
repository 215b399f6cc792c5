import { describe, expect, it } from 'vitest';
import { allowedDigits, digitFromStructure, measureShape, type GlyphBitmap } from './shape.ts';

function bitmap(rows: string[]): GlyphBitmap {
  return { ink: Uint8Array.from(rows.join(''), (char) => (char === '#' ? 1 : 0)), width: rows[0]!.length, height: rows.length };
}

const ZERO = bitmap(['.####.', '##..##', '#....#', '#....#', '#....#', '#....#', '#....#', '#....#', '##..##', '.####.']);
const EIGHT = bitmap(['.####.', '#....#', '#....#', '.####.', '#....#', '#....#', '#....#', '.####.']);
const SIX = bitmap(['..###.', '.#....', '#.....', '#.....', '#####.', '#....#', '#....#', '.####.']);
const ONE = bitmap(['.##', '###', '.##', '.##', '.##', '.##', '.##', '.##', '.##', '.##', '.##', '###']);
const TWO = bitmap(['.####.', '#....#', '.....#', '....#.', '...#..', '..#...', '.#....', '######']);

describe('measureShape', () => {
  it('finds one tall hole in a 0', () => {
    const shape = measureShape(ZERO);
    expect(shape).toMatchObject({ holes: 1 });
    expect(shape.holeHeight).toBeGreaterThan(0.6);
    expect(shape.holeCentre).toBeCloseTo(0.5, 1);
  });

  it('finds two stacked holes in an 8', () => {
    expect(measureShape(EIGHT)).toMatchObject({ holes: 2, holesStacked: true });
  });

  it('finds the low hole of a 6', () => {
    const shape = measureShape(SIX);
    expect(shape.holes).toBe(1);
    expect(shape.holeCentre).toBeGreaterThan(0.6);
  });
});

describe('allowedDigits', () => {
  it('allows 0 only for a tall central hole', () => {
    expect(allowedDigits(measureShape(ZERO), 'none', 1)).toContain('0');
    expect(allowedDigits(measureShape(SIX), 'none', 1)).not.toContain('0');
    expect(allowedDigits(measureShape(SIX), 'none', 1)).toContain('6');
  });

  it('allows 1 only for a narrow glyph', () => {
    expect(allowedDigits(measureShape(ONE), 'none', 1)).toBe('1');
    expect(allowedDigits(measureShape(TWO), 'none', 1)).not.toContain('1');
    expect(allowedDigits(measureShape(TWO), 'none', 1)).toContain('2');
  });

  it('excludes loops missing from a cut glyph', () => {
    // The top two thirds of a 2 have no closed loop, so they cannot be a 9 or an 8.
    const topOfTwo = bitmap(['.####.', '#....#', '.....#', '....#.', '...#..']);
    const allowed = allowedDigits(measureShape(topOfTwo), 'bottom', 0.7);
    expect(allowed).not.toMatch(/[89]/);
    expect(allowed).toContain('2');
  });

  it('allows a closed 4 cut at the top', () => {
    // The lower four fifths of a 4 whose diagonal closes a triangle with the stem.
    const lowerFour = bitmap(['...##.', '..#.#.', '.#..#.', '######', '....#.', '....#.']);
    const shape = measureShape(lowerFour);

    expect(shape.holes).toBe(1);
    expect(allowedDigits(shape, 'top', 0.8)).toContain('4');
  });
});

describe('digitFromStructure', () => {
  it('recognises 8, 0 and 1', () => {
    expect(digitFromStructure(measureShape(EIGHT), 'none')).toBe(8);
    expect(digitFromStructure(measureShape(ZERO), 'none')).toBe(0);
    expect(digitFromStructure(measureShape(ONE), 'none')).toBe(1);
    expect(digitFromStructure(measureShape(TWO), 'none')).toBeNull();
  });

  it('decides nothing for a cut glyph', () => {
    expect(digitFromStructure(measureShape(ZERO), 'top')).toBeNull();
  });
});
