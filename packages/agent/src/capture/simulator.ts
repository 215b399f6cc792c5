import type { MeterLayoutInput } from '@metervision/protocol';
import type { SimulatorSourceConfig } from '../config/schema.ts';
import type { CapturedImage, CaptureSource } from './types.ts';

const MS_PER_HOUR = 3_600_000;

/**
 * Creates a synthetic meter rendered by `@metervision/firmware-sim`, its value growing by
 * `ratePerHour` from `startValue` since the source was created. For demos and tests without a
 * camera; the layout comes with it (see {@link simulatorLayout}).
 */
export function createSimulatorSource(config: SimulatorSourceConfig, now: () => number = Date.now): CaptureSource {
  const startedAt = now();

  return {
    description: `simulator from ${config.startValue} at ${config.ratePerHour}/h`,

    async capture(): Promise<CapturedImage> {
      const { renderMeter } = await import('@metervision/firmware-sim');
      const value = config.startValue + (config.ratePerHour * (now() - startedAt)) / MS_PER_HOUR;
      const rendered = await renderMeter({ ...renderOptions(config), value });
      return { image: rendered.image, origin: `simulator value ${rendered.text}`, capturedAt: new Date() };
    },
  };
}

/** Renders the simulator's meter once and returns its layout, used when the configuration gives none. */
export async function simulatorLayout(config: SimulatorSourceConfig): Promise<MeterLayoutInput> {
  const { renderMeter } = await import('@metervision/firmware-sim');
  const rendered = await renderMeter({ ...renderOptions(config), value: config.startValue });
  return rendered.layout;
}

function renderOptions(config: SimulatorSourceConfig) {
  return { wheels: config.wheels, pointers: config.pointers, seed: config.seed, format: 'jpeg' as const };
}
