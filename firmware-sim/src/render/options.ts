import { z } from 'zod';
import { parseOptions } from '../options.ts';

const point = z.object({ x: z.number(), y: z.number() });

/**
 * Options of `renderMeter`. Every knob has a default that gives a clean, upright, well exposed
 * 640x480 JPEG of a water meter with 5 black-on-white wheels and 4 red-needle dials.
 */
export const renderOptionsSchema = z
  .object({
    /**
     * Meter value in the meter's unit (m³). 0 <= value < 10^(integer wheels). A value with exactly
     * as many decimals as the meter shows (530.0708 with 4 dials) puts the finest needle on its
     * tick; add half a unit (530.07085) for an image that reads unambiguously.
     */
    value: z.number().finite().min(0),
    /** Wheels in the counter window, integer and decimal wheels together: 5-8. Default 5. */
    wheels: z.number().int().min(5).max(8).default(5),
    /** How many of the wheels show decimals (red wheels at the right): 0-3. Default 0. */
    decimalWheels: z.number().int().min(0).max(3).default(0),
    /** Red-needle dials for the decimals after the decimal wheels, x0.1 first: 0-4. Default 4. */
    pointers: z.number().int().min(0).max(4).default(4),
    /** `dark-on-light`: black digits on white wheels; `light-on-dark`: white digits on black wheels. */
    style: z.enum(['dark-on-light', 'light-on-dark']).default('dark-on-light'),
    /**
     * Whether the last wheel turns continuously with the value below it. Between two values it
     * then shows the lower half of one digit and the upper half of the next, and higher wheels
     * roll with it while it passes from 9 to 0 (an odometer's carry). Default true.
     */
    rolling: z.boolean().default(true),
    /** Gaussian sensor noise, standard deviation in grey levels (0-255 scale): 0-80. Default 0. */
    noise: z.number().min(0).max(80).default(0),
    /** Gaussian blur (defocus), sigma in pixels: 0 (none) or 0.3-20. Default 0. */
    blur: z
      .number()
      .min(0)
      .max(20)
      .refine((sigma) => sigma === 0 || sigma >= 0.3, 'must be 0 (no blur) or at least 0.3 pixels')
      .default(0),
    /**
     * Camera rotation in degrees about the image centre, -45 to 45; positive turns the content
     * clockwise on screen and the canvas keeps its size. Default 0.
     */
    rotationDegrees: z.number().min(-45).max(45).default(0),
    /** Exposure gain applied to every pixel before clipping: 0.05-4, 1 unchanged. Default 1. */
    brightness: z.number().min(0.05).max(4).default(1),
    /** Glare spot strength: 0 (none) to 1 (its centre saturates to white). Default 0. */
    glare: z.number().min(0).max(1).default(0),
    /** Glare spot centre in output pixels; a seeded position on the meter face when absent. */
    glareCentre: point.optional(),
    /** Glare spot radius (Gaussian sigma) as a fraction of the image's shorter side: 0.02-0.5. Default 0.12. */
    glareRadius: z.number().min(0.02).max(0.5).default(0.12),
    /** Output width in pixels: 160-4096. Default 640 (ESP32-CAM VGA). */
    width: z.number().int().min(160).max(4096).default(640),
    /** Output height in pixels: 120-4096. Default 480. */
    height: z.number().int().min(120).max(4096).default(480),
    /** Output encoding. Default `jpeg`. */
    format: z.enum(['jpeg', 'png']).default('jpeg'),
    /** JPEG quality, 1-100. Default 85. Ignored for PNG. */
    jpegQuality: z.number().int().min(1).max(100).default(85),
    /** Seed of the noise and of the glare position; the same options and seed give the same bytes. Default 1. */
    seed: z.number().int().min(0).max(0xffff_ffff).default(1),
  })
  .refine((options) => options.value < 10 ** (options.wheels - options.decimalWheels), {
    message: 'must be below 10^(wheels - decimalWheels): use a smaller value or more wheels',
    path: ['value'],
  });

/** Options of `renderMeter` as a caller writes them; all but `value` have defaults. */
export type RenderOptions = z.input<typeof renderOptionsSchema>;
/** Options of `renderMeter` with every default filled in. */
export type ResolvedRenderOptions = z.infer<typeof renderOptionsSchema>;

/** Validates render options and fills defaults; throws InvalidOptionError naming each bad field. */
export function resolveRenderOptions(options: RenderOptions): ResolvedRenderOptions {
  return parseOptions(renderOptionsSchema, options, 'render');
}
