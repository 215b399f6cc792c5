import { describe, expect, it } from 'vitest';
import { composeReading, type DialObservation, type WheelObservation } from './compose.ts';

function wheels(digits: string, phases: Record<number, number> = {}): WheelObservation[] {
  return [...digits].map((digit, index) => ({ name: `dig${index + 1}`, digit: Number(digit), confidence: 0.9, phase: phases[index] ?? 0 }));
}

function dials(...values: number[]): DialObservation[] {
  return values.map((value, index) => ({ name: `ana${index + 1}`, value, confidence: 0.9, factor: 10 ** -(index + 1) }));
}

describe('composeReading', () => {
  it('keeps leading zeros in the text', () => {
    const reading = composeReading({ digits: wheels('00530'), pointers: dials(0.71, 7.08, 0.8, 8.0) });
    expect(reading.text).toBe('00530.0708');
    expect(reading.value).toBe(530.0708);
  });

  it('reads all zeros with dials at 0.0428', () => {
    const reading = composeReading({ digits: wheels('00000'), pointers: dials(0.43, 4.28, 2.8, 8.0) });
    expect(reading.text).toBe('00000.0428');
    expect(reading.value).toBe(0.0428);
    expect(reading.confidence).toBeGreaterThan(0.6);
  });

  it('reads decimal wheels with leading zeros', () => {
    const reading = composeReading({ digits: wheels('000040'), decimalDigits: wheels('434') });
    expect(reading.text).toBe('000040.434');
    expect(reading.value).toBe(40.434);
  });

  it('applies the decimal shift', () => {
    const reading = composeReading({ digits: wheels('00040434'), decimalShift: -3 });
    expect(reading.text).toBe('00040.434');
    expect(reading.value).toBe(40.434);
  });

  it('appends the extended resolution digit', () => {
    const reading = composeReading({ digits: wheels('00531'), pointers: dials(8.22, 2.23, 2.35, 3.54), extendedResolution: true });
    expect(reading.text).toBe('00531.82235');
  });

  it('chains dials geared 10:1', () => {
    // Each dial is read slightly off. The finer dial shows which side of its mark the coarser one is.
    const reading = composeReading({ digits: wheels('00819'), pointers: dials(7.67, 7.85, 9.69, 7.65), wheelDrive: 'intermittent' });
    expect(reading.text).toBe('00819.7797');
    expect(reading.pointers.map((dial) => Math.floor(dial.value))).toEqual([7, 7, 9, 7]);
  });

  it('never jumps a unit around 640.90 to 641.01', () => {
    // An intermittent wheel stays on 0 until the x0.1 dial passes 9, then rolls to 1.
    const intermittent = [
      composeReading({ digits: wheels('00640'), pointers: dials(9.0, 0.1), wheelDrive: 'intermittent' }),
      composeReading({ digits: wheels('00641', { 4: -0.45 }), pointers: dials(9.5, 5.2), wheelDrive: 'intermittent' }),
      composeReading({ digits: wheels('00640', { 4: 0.5 }), pointers: dials(9.5, 5.2), wheelDrive: 'intermittent' }),
      composeReading({ digits: wheels('00641'), pointers: dials(0.1, 1.0), wheelDrive: 'intermittent' }),
    ];
    // A continuous wheel shows most of the 1 from 640.5 on.
    const continuous = [
      composeReading({ digits: wheels('00641', { 4: -0.1 }), pointers: dials(9.0, 0.1), wheelDrive: 'continuous' }),
      composeReading({ digits: wheels('00641', { 4: -0.05 }), pointers: dials(9.5, 5.2), wheelDrive: 'continuous' }),
      composeReading({ digits: wheels('00641'), pointers: dials(0.1, 1.0), wheelDrive: 'continuous' }),
    ];
    // Unknown gearing, and only the digit shown (no phase), as the agent may replay it.
    const unknown = [
      composeReading({ digits: wheels('00641', { 4: -0.45 }), pointers: dials(9.5, 5.2) }),
      composeReading({ digits: wheels('00641'), pointers: dials(9.6, 6.1) }),
      composeReading({ digits: wheels('00641'), pointers: dials(0.1, 1.0) }),
    ];

    expect(intermittent.map((reading) => reading.text)).toEqual(['00640.90', '00640.95', '00640.95', '00641.01']);
    expect(continuous.map((reading) => reading.text)).toEqual(['00640.90', '00640.95', '00641.01']);
    expect(unknown.map((reading) => reading.text)).toEqual(['00640.95', '00640.96', '00641.01']);
    for (const reading of [...intermittent, ...continuous, ...unknown]) {
      expect(reading.value! < 641.9).toBe(true);
      expect(reading.confidence).toBeGreaterThan(0.6);
    }
  });

  it('keeps the lower digit past .5 on a continuous wheel', () => {
    const reading = composeReading({ digits: wheels('00532', { 4: -0.2 }), pointers: dials(8.2, 2.1), wheelDrive: 'continuous' });
    expect(reading.text).toBe('00531.82');
    expect(reading.digits[4]).toMatchObject({ value: 1 });
  });

  it('carries through three rolling wheels', () => {
    // 1999.55: every wheel from the tens up is half-way into its carry.
    const reading = composeReading({ digits: wheels('02000', { 1: -0.45, 2: -0.45, 3: -0.45, 4: -0.45 }), pointers: dials(5.5), wheelDrive: 'continuous' });
    expect(reading.text).toBe('01999.5');
  });

  it('flags a wheel the dials cannot decide', () => {
    // A centred 1 with the x0.1 dial at 8.9: a continuous wheel means 0.89, an intermittent one 1.
    const reading = composeReading({ digits: wheels('00521', { 4: -0.11 }), pointers: dials(8.9), wheelDrive: 'auto' });
    expect(reading.confidence).toBeLessThanOrEqual(0.3);
    expect(reading.issues.join(' ')).toMatch(/between 0 and 1/);
  });

  it('lowers confidence for disagreeing dials', () => {
    const reading = composeReading({ digits: wheels('00100'), pointers: dials(2.5, 0.0) });
    expect(reading.confidence).toBeLessThan(0.5);
    expect(reading.issues.join(' ')).toMatch(/ana1/);
  });

  it('returns no value for an unreadable wheel', () => {
    const digits = wheels('00530');
    digits[2] = { name: 'dig3', digit: null, confidence: 0 };
    const reading = composeReading({ digits, pointers: dials(0.7) });
    expect(reading.value).toBeNull();
    expect(reading.text).toBeNull();
    expect(reading.confidence).toBe(0);
    expect(reading.issues.join(' ')).toMatch(/dig3 could not be read/);
  });
});
