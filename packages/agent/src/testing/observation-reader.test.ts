import { parseLayout } from '@metervision/vision';
import { describe, expect, it } from 'vitest';
import { type MeterShape, ObservationReader, observationLayout, observe } from './observation-reader.ts';

const GAS_METER: MeterShape = { wheels: 8, decimalWheels: 3, pointers: 2 };

describe('observationLayout', () => {
  it('continues dials after decimal wheels', async () => {
    const layout = await parseLayout(observationLayout(GAS_METER));
    expect(layout.pointers.map((dial) => dial.factor)).toEqual([0.0001, 0.00001]);
  });

  it('starts dials after integer wheels', async () => {
    const layout = await parseLayout(observationLayout({ wheels: 5, decimalWheels: 0, pointers: 4 }));
    expect(layout.pointers.map((dial) => dial.factor)).toEqual([0.1, 0.01, 0.001, 0.0001]);
  });
});

describe('ObservationReader', () => {
  it('reads dials after decimal wheels', async () => {
    const layout = await parseLayout(observationLayout(GAS_METER));
    const observations = Buffer.from(JSON.stringify(observe(530.07081, GAS_METER)));
    const result = await new ObservationReader().read(observations, layout);
    expect(result.text).toBe('00530.07081');
    expect(result.value).toBe(530.07081);
  });
});
