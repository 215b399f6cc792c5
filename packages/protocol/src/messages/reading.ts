import { z } from 'zod';
import { messageIdSchema, meterSerialSchema, timestampSchema } from '../ids.ts';

export const digitResultSchema = z.object({
  name: z.string(),
  /** Digit shown, 0-9; null when the wheel could not be read. */
  value: z.number().int().min(0).max(9).nullable(),
  confidence: z.number().min(0).max(1),
});

export const pointerResultSchema = z.object({
  name: z.string(),
  /** Dial position in [0, 10), fractional. */
  value: z.number().min(0).lt(10),
  confidence: z.number().min(0).max(1),
});

/** Image-quality metrics of the photo a reading came from. Thresholds live in `packages/vision`. */
export const imageQualitySchema = z.object({
  /** Mean luminance, 0-255. */
  brightness: z.number(),
  /** Standard deviation of luminance, 0-128. */
  contrast: z.number(),
  /** Variance of the Laplacian of the greyscale image; low means blurred. */
  sharpness: z.number(),
  /** Share of saturated pixels (luminance >= 250), 0-1. */
  glare: z.number().min(0).max(1),
});

/** JPEG or PNG bytes carried inside a JSON message. */
export const embeddedImageSchema = z.object({
  contentType: z.enum(['image/jpeg', 'image/png']),
  /** Base64 without a data-URL prefix. At most 2 MiB of image (about 2.8 MB of base64). */
  data: z.string().min(1).max(2_800_000),
});

/**
 * Outcome of one capture cycle on the `readings` topic, published at QoS 1.
 *
 * - `accepted`: `value` is the meter's value.
 * - `flagged`: the image was read with low confidence; `rawValue` is what was read, `value` is null.
 * - `rejected`: plausibility rejected the value (for example a negative or too fast change);
 *   `rawValue` is what was read, `value` is null.
 * - `failed`: no value could be read (alignment mark not found, corrupt image); both are null.
 */
export const readingMessageSchema = z
  .object({
    v: z.literal(1),
    /** Made on the device; the cloud stores a reading id once, whatever the redeliveries. */
    readingId: messageIdSchema,
    meterSerial: meterSerialSchema.optional(),
    /** Device clock at capture time. */
    capturedAt: timestampSchema,
    status: z.enum(['accepted', 'flagged', 'rejected', 'failed']),
    value: z.number().nullable(),
    /** The value as the meter shows it, leading zeros kept (for example `00530.0708`). */
    text: z.string().max(40).nullable(),
    rawValue: z.number().nullable(),
    rawText: z.string().max(40).nullable(),
    unit: z.string().max(16).default('m3'),
    /** Overall confidence, 0-1. */
    confidence: z.number().min(0).max(1),
    /** Machine-readable cause when the status is not `accepted`, for example `low_confidence`. */
    reasonCode: z.string().max(64).optional(),
    /** Human-readable cause when the status is not `accepted`. */
    reason: z.string().max(500).optional(),
    digits: z.array(digitResultSchema).default([]),
    pointers: z.array(pointerResultSchema).default([]),
    quality: imageQualitySchema.optional(),
    configVersion: z.number().int().min(0).nullable().default(null),
    /** Image evidence, usually the aligned photo scaled down. */
    image: embeddedImageSchema.optional(),
    /** Time spent reading the image on the device, in milliseconds. */
    processingMs: z.number().min(0).optional(),
  })
  .refine((reading) => reading.status !== 'accepted' || reading.value !== null, {
    message: 'an accepted reading needs a value',
    path: ['value'],
  })
  .refine((reading) => reading.status === 'accepted' || reading.value === null, {
    message: 'only an accepted reading may carry a value; put what was read in rawValue',
    path: ['value'],
  });

export type DigitResult = z.infer<typeof digitResultSchema>;
export type PointerResult = z.infer<typeof pointerResultSchema>;
export type ImageQuality = z.infer<typeof imageQualitySchema>;
export type EmbeddedImage = z.infer<typeof embeddedImageSchema>;
export type ReadingMessage = z.infer<typeof readingMessageSchema>;
export type ReadingMessageInput = z.input<typeof readingMessageSchema>;
export type ReadingStatus = ReadingMessage['status'];
