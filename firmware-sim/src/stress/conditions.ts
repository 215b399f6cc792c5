import type { RenderOptions } from '../render/options.ts';
import { SeededRandom } from '../render/random.ts';

/** A named imaging condition: the knobs it sets on top of the meter's own options. */
export interface StressCondition {
  name: string;
  description: string;
  knobs: Omit<RenderOptions, 'value' | 'seed'>;
}

/**
 * Conditions a meter reader meets in the field. Rotations stay within ±10 degrees, the range the
 * layout's alignment marks cover.
 */
export const STRESS_CONDITIONS: StressCondition[] = [
  { name: 'clean', description: 'Upright, sharp, well exposed', knobs: {} },
  { name: 'blur-mild', description: 'Slight defocus', knobs: { blur: 1.2 } },
  { name: 'blur-strong', description: 'Strong defocus', knobs: { blur: 3 } },
  { name: 'noise-mild', description: 'Sensor noise in dim light', knobs: { noise: 8 } },
  { name: 'noise-strong', description: 'Heavy sensor noise', knobs: { noise: 20 } },
  { name: 'rotation-left', description: 'Camera turned 10 degrees counter-clockwise', knobs: { rotationDegrees: -10 } },
  { name: 'rotation-slight', description: 'Camera turned 4 degrees clockwise', knobs: { rotationDegrees: 4 } },
  { name: 'rotation-right', description: 'Camera turned 10 degrees clockwise', knobs: { rotationDegrees: 10 } },
  { name: 'glare-dials', description: 'Glare spot over the dials', knobs: { glare: 0.8, glareCentre: { x: 420, y: 330 } } },
  { name: 'glare-counter', description: 'Saturated glare spot over the counter', knobs: { glare: 1, glareCentre: { x: 300, y: 120 }, glareRadius: 0.08 } },
  { name: 'underexposed', description: 'Too dark', knobs: { brightness: 0.35 } },
  { name: 'underexposed-noisy', description: 'Too dark with noise, like an unlit meter pit', knobs: { brightness: 0.25, noise: 6 } },
  { name: 'overexposed', description: 'Too bright, whites clipped', knobs: { brightness: 1.8 } },
  { name: 'light-on-dark', description: 'White digits on black wheels', knobs: { style: 'light-on-dark' } },
  { name: 'decimal-wheels', description: '8 wheels with 3 red decimal wheels and one dial', knobs: { wheels: 8, decimalWheels: 3, pointers: 1 } },
  { name: 'combined', description: 'Mild blur, noise, rotation and dim light together', knobs: { blur: 1, noise: 6, rotationDegrees: -4, brightness: 0.7 } },
];

/** A special value that puts the meter in a hard spot; `rolling-*` cases use it instead of a random value. */
const ROLLING_CASES: { name: string; description: string; value: number; knobs: StressCondition['knobs'] }[] = [
  { name: 'rolling-half', description: 'Last wheel halfway between two digits', value: 4711.5, knobs: { pointers: 0 } },
  { name: 'rolling-carry', description: 'Three wheels rolling through a carry', value: 1999.55, knobs: { pointers: 1 } },
  { name: 'rolling-dials', description: 'Last wheel past half, the x0.1 dial decides', value: 531.82235, knobs: {} },
];

/**
 * Draws a meter value whose finest needle or wheel stands between two marks (30-70 % of the way),
 * not on one. A value with exactly as many decimals as the meter shows puts the finest needle on
 * its tick, where the reading is ambiguous by a fraction of a pixel.
 */
function offTickValue(random: SeededRandom, knobs: StressCondition['knobs']): number {
  const decimals = (knobs.decimalWheels ?? 0) + (knobs.pointers ?? 4);
  const integerWheels = (knobs.wheels ?? 5) - (knobs.decimalWheels ?? 0);
  const units = Math.floor(random.between(0, 10 ** integerWheels - 1) * 10 ** decimals);
  return (units + random.between(0.3, 0.7)) / 10 ** decimals;
}

export interface StressCase {
  /** File stem, unique in the set, for example `blur-mild-02`. */
  id: string;
  condition: string;
  description: string;
  options: RenderOptions;
}

/**
 * Lists the cases of a stress set: `perCondition` random values under each condition, plus the
 * rolling-wheel cases. The same `seed` gives the same list.
 */
export function stressCases(perCondition: number, seed: number): StressCase[] {
  const random = new SeededRandom(seed);
  const cases: StressCase[] = [];

  for (const condition of STRESS_CONDITIONS) {
    for (let index = 0; index < perCondition; index += 1) {
      const value = offTickValue(random, condition.knobs);
      cases.push({
        id: `${condition.name}-${String(index + 1).padStart(2, '0')}`,
        condition: condition.name,
        description: condition.description,
        options: { ...condition.knobs, value, seed: Math.floor(random.next() * 0xffff_ffff) },
      });
    }
  }

  for (const rolling of ROLLING_CASES) {
    cases.push({
      id: `${rolling.name}-01`,
      condition: rolling.name,
      description: rolling.description,
      options: { ...rolling.knobs, value: rolling.value, seed: Math.floor(random.next() * 0xffff_ffff) },
    });
  }
  return cases;
}
