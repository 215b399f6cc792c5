import sharp, { type Metadata } from 'sharp';
import { HttpError } from '../http/errors.ts';

/** Formats accepted for uploads. */
const ACCEPTED_FORMATS: Record<string, string> = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp' };

export interface CheckedImage {
  contentType: string;
  width: number;
  height: number;
}

/**
 * Checks an uploaded file before anything decodes it: size, then format and dimensions from
 * the header only (sharp reads metadata without decoding pixels), then the pixel limit.
 */
export async function checkUploadedImage(file: Buffer, limits: { maxBytes: number; maxPixels: number }): Promise<CheckedImage> {
  if (file.length === 0) throw new HttpError(422, 'The uploaded file is empty: send a JPEG or PNG photo of the meter');
  if (file.length > limits.maxBytes) {
    throw new HttpError(413, `The uploaded file is ${file.length} bytes: the limit is ${limits.maxBytes} bytes`);
  }

  let metadata: Metadata;
  try {
    metadata = await sharp(file, { limitInputPixels: limits.maxPixels }).metadata();
  } catch (error) {
    // sharp reads the dimensions from the header and rejects them before allocating pixels.
    if (/pixel limit/i.test((error as Error).message)) {
      throw new HttpError(413, `The image has more than ${limits.maxPixels} pixels: send a smaller photo`, { cause: error });
    }
    throw new HttpError(422, 'The uploaded file is not a readable image: send a JPEG or PNG photo', { cause: error });
  }

  const contentType = metadata.format ? ACCEPTED_FORMATS[metadata.format] : undefined;
  if (!contentType) {
    throw new HttpError(415, `Unsupported image format ${JSON.stringify(metadata.format ?? 'unknown')}: send JPEG, PNG or WebP`);
  }

  const width = metadata.width ?? 0;
  const height = metadata.height ?? 0;
  if (width * height > limits.maxPixels) {
    throw new HttpError(413, `The image is ${width}×${height} pixels: the limit is ${limits.maxPixels} pixels`);
  }
  return { contentType, width, height };
}

/**
 * Decodes the whole image once with the pixel limit, so a truncated or corrupt file is rejected
 * before it is stored, whatever the reader does with it.
 */
export async function verifyImageDecodes(file: Buffer, maxPixels: number): Promise<void> {
  try {
    await sharp(file, { limitInputPixels: maxPixels, failOn: 'truncated' }).stats();
  } catch (error) {
    throw new HttpError(422, 'The uploaded image is truncated or corrupt: send the complete file', { cause: error });
  }
}
