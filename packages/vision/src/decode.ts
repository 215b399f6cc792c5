import sharp from 'sharp';
import { VisionError } from './errors.ts';

/** Largest encoded image `read` accepts, in bytes. */
export const MAX_IMAGE_BYTES = 20_000_000;
/** Largest decoded image `read` accepts, in pixels (width × height). */
export const MAX_IMAGE_PIXELS = 40_000_000;

/** Decoded 8-bit pixels, row-major, `channels` bytes per pixel. */
export interface RasterImage {
  data: Buffer;
  width: number;
  height: number;
  channels: 1 | 3;
}

/**
 * Decodes JPEG, PNG, WebP or any other format sharp reads into 8-bit sRGB pixels.
 * Throws `image_too_large` over 20 MB or 40 megapixels and `invalid_image` for anything sharp
 * cannot decode, including truncated JPEGs (libvips reports those as warnings, which we fail on).
 */
export async function decodeImage(image: Buffer): Promise<RasterImage> {
  if (!Buffer.isBuffer(image) || image.length === 0) {
    throw new VisionError('invalid_image', 'image is empty: expected JPEG or PNG bytes', { bytes: image?.length ?? 0 });
  }
  if (image.length > MAX_IMAGE_BYTES) {
    throw new VisionError('image_too_large', `image is ${image.length} bytes, more than the limit of ${MAX_IMAGE_BYTES}`, {
      bytes: image.length,
      maxBytes: MAX_IMAGE_BYTES,
    });
  }

  try {
    const { data, info } = await sharp(image, { limitInputPixels: MAX_IMAGE_PIXELS, failOn: 'warning' })
      .autoOrient()
      .toColourspace('srgb')
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height, channels: 3 };
  } catch (error) {
    throw toDecodeError(error, image.length);
  }
}

function toDecodeError(error: unknown, bytes: number): VisionError {
  const cause = error instanceof Error ? error.message : String(error);
  if (cause.includes('pixel limit')) {
    return new VisionError('image_too_large', `image has more than ${MAX_IMAGE_PIXELS} pixels`, { maxPixels: MAX_IMAGE_PIXELS, cause }, { cause: error });
  }
  if (cause.includes('unsupported image format')) {
    return new VisionError('invalid_image', 'not an image: the bytes are no JPEG, PNG or other known image format', { bytes, cause }, { cause: error });
  }
  return new VisionError('invalid_image', `corrupt image: ${cause}`, { bytes, cause }, { cause: error });
}

/** Converts sRGB pixels to luma (Rec. 601 weights, integer arithmetic). */
export function toGrey(image: RasterImage): RasterImage {
  if (image.channels === 1) return image;

  const pixels = image.width * image.height;
  const grey = Buffer.allocUnsafe(pixels);
  const rgb = image.data;
  for (let i = 0, j = 0; i < pixels; i += 1, j += 3) {
    grey[i] = (rgb[j]! * 77 + rgb[j + 1]! * 150 + rgb[j + 2]! * 29) >> 8;
  }
  return { data: grey, width: image.width, height: image.height, channels: 1 };
}
