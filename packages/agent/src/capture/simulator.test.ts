import { captureSettingsSchema } from '@metervision/protocol';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { simulatorSourceSchema } from '../config/schema.ts';
import { createSimulatorSource, simulatorLayout } from './simulator.ts';

describe('simulator source', () => {
  it('renders the advancing meter', async () => {
    let now = 0;
    const config = simulatorSourceSchema.parse({ type: 'simulator', startValue: 100, ratePerHour: 2, pointers: 2 });
    const source = createSimulatorSource(config, () => now);
    now = 30 * 60_000;
    const captured = await source.capture(captureSettingsSchema.parse({}));
    expect(captured.origin).toBe('simulator value 00101.00');
    expect((await sharp(captured.image).metadata()).format).toBe('jpeg');
  });

  it('provides the matching layout', async () => {
    const layout = await simulatorLayout(simulatorSourceSchema.parse({ type: 'simulator', wheels: 6, pointers: 3 }));
    expect(layout.digits).toHaveLength(6);
    expect(layout.pointers).toHaveLength(3);
  });
});
