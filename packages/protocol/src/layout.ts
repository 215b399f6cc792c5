import { z } from 'zod';

/**
 * Meter layout: where the digit wheels, pointer dials and alignment marks are in a camera image.
 *
 * Coordinates are integer pixels in the layout's frame: the raw image after rotation by
 * `rotateDegrees` and, when marks are given, after alignment onto those marks. `x`/`y` is the
 * top-left corner of each region of interest (ROI). The format is documented with an example in
 * `packages/vision/docs/layout.md`.
 */

const pixel = z.number().int().min(0);
const size = z.number().int().min(1);

/** A named rectangle in the layout frame. */
export const roiSchema = z.object({
  name: z.string().min(1).max(32),
  x: pixel,
  y: pixel,
  width: size,
  height: size,
});

/** One digit wheel (odometer window). Wheels are listed most significant first. */
export const digitRoiSchema = roiSchema;

/** One analog pointer dial. Dials are listed most significant first. */
export const pointerRoiSchema = roiSchema.extend({
  /** Value of one dial unit in the meter's unit, for example 0.1 for the x0.1 dial. */
  factor: z.number().positive(),
  /** Direction in which the printed numbers increase. */
  direction: z.enum(['clockwise', 'counterclockwise']).default('clockwise'),
  /** Where 0 is printed, in degrees clockwise from 12 o'clock. */
  zeroAngleDegrees: z.number().min(-360).max(360).default(0),
  /** Dial hub in the layout frame; defaults to the ROI centre. */
  centre: z.object({ x: z.number(), y: z.number() }).optional(),
  /** Colour of the needle. */
  needle: z.enum(['red', 'dark']).default('red'),
});

/** A reference mark (sticker, screw, printed logo) used to align the image onto the layout frame. */
export const alignmentMarkSchema = roiSchema.extend({
  /**
   * The mark's pixels: a `data:image/...;base64,` URL, or a file path relative to the layout
   * file when the layout is loaded from disk.
   */
  image: z.string().min(1),
});

export const alignmentSchema = z.object({
  /** One mark fixes the shift; two marks also fix the rotation. */
  marks: z.array(alignmentMarkSchema).min(1).max(2),
  /** How far (pixels) from its configured position each mark is searched for. */
  searchRadius: z
    .object({ x: z.number().int().min(0).max(200), y: z.number().int().min(0).max(200) })
    .default({ x: 20, y: 20 }),
  /** Minimum normalised cross-correlation (0-1) for a mark to count as found. */
  minSimilarity: z.number().min(0).max(1).default(0.6),
});

export const digitStyleSchema = z.enum(['auto', 'dark-on-light', 'light-on-dark']);

/**
 * How the wheel next to the dials follows them. `continuous`: it turns all the time (the last
 * wheel of many wet-dial water meters shows the next digit from about .5 on). `intermittent`: it
 * jumps while the finer dial passes from 9 to 0. `auto`: either; readings that only one of them
 * explains near a transition are flagged instead of guessed. Wheels always carry to the next wheel
 * intermittently, as in every roller counter.
 */
export const wheelDriveSchema = z.enum(['auto', 'continuous', 'intermittent']);

export const meterLayoutSchema = z
  .object({
    /** Layout format version. */
    formatVersion: z.literal(1).default(1),
    name: z.string().max(100).optional(),
    /** Unit of the composed value, for example `m3` or `kWh`. */
    unit: z.string().min(1).max(16).default('m3'),
    /** Size of the layout frame; an image of another size is rejected. */
    frame: z.object({ width: size, height: size }).optional(),
    /**
     * Rotation applied to the raw image about its centre before anything else, in degrees.
     * Positive turns the picture content clockwise on screen; the canvas keeps its size.
     */
    rotateDegrees: z.number().min(-180).max(180).default(0),
    alignment: alignmentSchema.optional(),
    /** Integer digit wheels, most significant first. */
    digits: z.array(digitRoiSchema).max(12).default([]),
    /** Digit wheels after the decimal point (for example red 0.1/0.01 wheels), most significant first. */
    decimalDigits: z.array(digitRoiSchema).max(6).default([]),
    /** Analog pointer dials for the decimals, most significant first. */
    pointers: z.array(pointerRoiSchema).max(8).default([]),
    digitStyle: digitStyleSchema.default('auto'),
    /** Polarity of the decimal wheels, which are often red with white digits whatever the others are. */
    decimalDigitStyle: digitStyleSchema.default('auto'),
    wheelDrive: wheelDriveSchema.default('auto'),
    /** Power of ten applied to the composed value: -3 turns a 8-wheel litre counter into m³. */
    decimalShift: z.number().int().min(-8).max(8).default(0),
    /** Append the fractional position of the last pointer as one more decimal. */
    extendedResolution: z.boolean().default(false),
    /** Overall confidence (0-1) below which a reading is flagged instead of reported as the value. */
    minConfidence: z.number().min(0).max(1).default(0.6),
  })
  .refine((layout) => layout.digits.length + layout.decimalDigits.length + layout.pointers.length > 0, {
    message: 'a layout needs at least one digit wheel or pointer dial',
    path: ['digits'],
  });

/** A mark image embedded in the layout: base64 PNG, JPEG or WebP. */
export const MARK_IMAGE_DATA_URL = /^data:image\/(png|jpeg|webp);base64,/;

/**
 * Layout that carries its mark images as data URLs, for layouts that travel between machines
 * (API requests, remote device configuration). A file path there would make the receiving machine
 * read one of its own files on the sender's behalf.
 */
export const embeddedMeterLayoutSchema = meterLayoutSchema.superRefine((layout, context) => {
  layout.alignment?.marks.forEach((mark, index) => {
    if (MARK_IMAGE_DATA_URL.test(mark.image)) return;
    context.addIssue({
      code: 'custom',
      path: ['alignment', 'marks', index, 'image'],
      message: `mark ${mark.name}: embed the image as a data:image/png;base64 (or jpeg, webp) URL; file paths are only accepted in layout files read from disk`,
    });
  });
});

export type Roi = z.infer<typeof roiSchema>;
export type DigitRoi = z.infer<typeof digitRoiSchema>;
export type PointerRoi = z.infer<typeof pointerRoiSchema>;
export type AlignmentMark = z.infer<typeof alignmentMarkSchema>;
export type Alignment = z.infer<typeof alignmentSchema>;
export type DigitStyle = z.infer<typeof digitStyleSchema>;
export type WheelDrive = z.infer<typeof wheelDriveSchema>;
/** A validated layout with every default filled in. */
export type MeterLayout = z.infer<typeof meterLayoutSchema>;
/** A layout as written in JSON, before defaults. */
export type MeterLayoutInput = z.input<typeof meterLayoutSchema>;
