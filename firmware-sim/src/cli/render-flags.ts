import type { RenderOptions } from '../render/options.ts';
import type { Flag, FlagValues } from './flags.ts';

/** Flags for every render knob; each help line gives the unit and the default of `renderMeter`. */
export const RENDER_FLAGS: Flag[] = [
  { name: 'wheels', type: 'integer', help: 'Wheels in the counter window, integer and decimal together, 5-8 (default 5).' },
  { name: 'decimal-wheels', type: 'integer', help: 'Red decimal wheels at the right, 0-3 (default 0).' },
  { name: 'pointers', type: 'integer', help: 'Red-needle dials after the decimal wheels, 0-4 (default 4).' },
  { name: 'style', type: 'string', help: 'dark-on-light or light-on-dark (default dark-on-light).' },
  { name: 'snapped', type: 'boolean', help: 'Show whole digits only; by default the last wheel rolls between values.' },
  { name: 'noise', type: 'number', help: 'Sensor noise, standard deviation in grey levels 0-80 (default 0).' },
  { name: 'blur', type: 'number', help: 'Gaussian blur sigma in pixels, 0 or 0.3-20 (default 0).' },
  { name: 'rotation-degrees', type: 'number', help: 'Camera rotation in degrees, clockwise positive, -45 to 45 (default 0).' },
  { name: 'brightness', type: 'number', help: 'Exposure gain, 0.05-4; below 1 darker, above 1 brighter (default 1).' },
  { name: 'glare', type: 'number', help: 'Glare spot strength, 0-1; 1 saturates its centre (default 0).' },
  { name: 'glare-x', type: 'number', help: 'Glare centre x in pixels (default: drawn from the seed).' },
  { name: 'glare-y', type: 'number', help: 'Glare centre y in pixels (default: drawn from the seed).' },
  { name: 'glare-radius', type: 'number', help: 'Glare sigma as a share of the shorter image side, 0.02-0.5 (default 0.12).' },
  { name: 'width', type: 'integer', help: 'Image width in pixels, 160-4096 (default 640).' },
  { name: 'height', type: 'integer', help: 'Image height in pixels, 120-4096 (default 480).' },
  { name: 'format', type: 'string', help: 'jpeg or png (default: from the file extension, else jpeg).' },
  { name: 'jpeg-quality', type: 'integer', help: 'JPEG quality, 1-100 (default 85).' },
  { name: 'seed', type: 'integer', help: 'Seed of noise and glare position, 0-4294967295 (default 1).' },
];

/** Builds render knobs from parsed flags; unset flags are left out so `renderMeter` fills its defaults. */
export function renderKnobsFromFlags(values: FlagValues): Omit<RenderOptions, 'value'> {
  const knobs: Record<string, unknown> = {
    wheels: values.wheels,
    decimalWheels: values['decimal-wheels'],
    pointers: values.pointers,
    style: values.style,
    rolling: values.snapped === true ? false : undefined,
    noise: values.noise,
    blur: values.blur,
    rotationDegrees: values['rotation-degrees'],
    brightness: values.brightness,
    glare: values.glare,
    glareRadius: values['glare-radius'],
    width: values.width,
    height: values.height,
    format: values.format,
    jpegQuality: values['jpeg-quality'],
    seed: values.seed,
  };
  if (values['glare-x'] !== undefined || values['glare-y'] !== undefined) {
    knobs.glareCentre = { x: values['glare-x'], y: values['glare-y'] };
  }
  return Object.fromEntries(Object.entries(knobs).filter(([, value]) => value !== undefined)) as Omit<RenderOptions, 'value'>;
}
