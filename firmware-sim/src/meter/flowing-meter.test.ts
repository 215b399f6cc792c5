import { describe, expect, it } from 'vitest';
import { FlowingMeter } from './flowing-meter.ts';

const HOUR = 3_600_000;

function fakeClock() {
  let now = 1_000_000;
  return { clock: () => now, advance: (ms: number) => (now += ms) };
}

describe('FlowingMeter', () => {
  it('advances with the flow', () => {
    const time = fakeClock();
    const meter = new FlowingMeter({ startValue: 123.456, flowM3PerHour: 0.5, clock: time.clock });
    time.advance(2 * HOUR);
    expect(meter.value()).toBeCloseTo(124.456, 9);
  });

  it('keeps the value when the flow changes', () => {
    const time = fakeClock();
    const meter = new FlowingMeter({ startValue: 10, flowM3PerHour: 1, clock: time.clock });
    time.advance(HOUR);
    meter.setFlow(0);
    time.advance(HOUR);
    expect(meter.value()).toBeCloseTo(11, 9);
  });

  it('rolls over at the limit', () => {
    const time = fakeClock();
    const meter = new FlowingMeter({ startValue: 99_999.5, flowM3PerHour: 1, clock: time.clock });
    time.advance(HOUR);
    expect(meter.value()).toBeCloseTo(0.5, 6);
  });

  it('rejects a negative value', () => {
    expect(() => new FlowingMeter({ startValue: -1 })).toThrow('startValue = -1');
  });

  it('rejects a negative flow', () => {
    expect(() => new FlowingMeter({ flowM3PerHour: -0.1 })).toThrow('flowM3PerHour = -0.1');
  });
});
