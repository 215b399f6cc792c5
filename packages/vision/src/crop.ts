import type { Roi } from '@metervision/protocol';
import type { RasterImage } from './decode.ts';
import { VisionError } from './errors.ts';
import { applyAffine, type Affine } from './transform.ts';

/** Region in layout-frame pixels; `x`/`y` is the top-left corner. */
export type Rect = Pick<Roi, 'x' | 'y' | 'width' | 'height'>;

/**
 * Throws `roi_outside_image` when `roi` does not lie wholly inside a frame of the given size.
 * The frame is the image after rotation, which keeps the canvas, so it has the image's size.
 */
export function assertInsideFrame(roi: Rect & { name: string }, frameWidth: number, frameHeight: number): void {
  if (roi.x + roi.width <= frameWidth && roi.y + roi.height <= frameHeight) return;

  throw new VisionError(
    'roi_outside_image',
    `ROI ${roi.name} (x ${roi.x}, y ${roi.y}, ${roi.width}x${roi.height}) reaches beyond the ${frameWidth}x${frameHeight} image: ` +
      'fix the layout or use the camera resolution the layout was drawn for',
    { roi: roi.name, x: roi.x, y: roi.y, width: roi.width, height: roi.height, imageWidth: frameWidth, imageHeight: frameHeight },
  );
}

/**
 * Cuts `rect` (layout-frame pixels) out of `source` through the frame-to-source map `toSource`,
 * resampling bilinearly at `scale` output pixels per frame pixel. Points that fall outside the
 * source come out black, as the corners of a rotated canvas do.
 */
export function sampleRegion(source: RasterImage, toSource: Affine, rect: Rect, scale = 1): RasterImage {
  const width = Math.max(1, Math.round(rect.width * scale));
  const height = Math.max(1, Math.round(rect.height * scale));
  const channels = source.channels;
  const out = Buffer.alloc(width * height * channels);

  // Output pixel (i, j) covers frame point rect.x + (i + 0.5) / scale - 0.5, so the map is affine in (i, j).
  const step = 1 / scale;
  const origin = applyAffine(toSource, { x: rect.x + step / 2 - 0.5, y: rect.y + step / 2 - 0.5 });
  const dxi = toSource.a * step;
  const dyi = toSource.d * step;
  const dxj = toSource.b * step;
  const dyj = toSource.e * step;

  for (let j = 0; j < height; j += 1) {
    let sx = origin.x + dxj * j;
    let sy = origin.y + dyj * j;
    let offset = j * width * channels;
    for (let i = 0; i < width; i += 1) {
      samplePixel(source, sx, sy, out, offset);
      sx += dxi;
      sy += dyi;
      offset += channels;
    }
  }
  return { data: out, width, height, channels };
}

function samplePixel(source: RasterImage, sx: number, sy: number, out: Buffer, offset: number): void {
  const { width, height, channels, data } = source;
  if (sx < -0.5 || sy < -0.5 || sx > width - 0.5 || sy > height - 0.5) return;

  const x0 = Math.min(Math.max(Math.floor(sx), 0), width - 1);
  const y0 = Math.min(Math.max(Math.floor(sy), 0), height - 1);
  const x1 = Math.min(x0 + 1, width - 1);
  const y1 = Math.min(y0 + 1, height - 1);
  const fx = Math.min(Math.max(sx - x0, 0), 1);
  const fy = Math.min(Math.max(sy - y0, 0), 1);
  const w00 = (1 - fx) * (1 - fy);
  const w10 = fx * (1 - fy);
  const w01 = (1 - fx) * fy;
  const w11 = fx * fy;
  const p00 = (y0 * width + x0) * channels;
  const p10 = (y0 * width + x1) * channels;
  const p01 = (y1 * width + x0) * channels;
  const p11 = (y1 * width + x1) * channels;

  for (let c = 0; c < channels; c += 1) {
    out[offset + c] = Math.round(w00 * data[p00 + c]! + w10 * data[p10 + c]! + w01 * data[p01 + c]! + w11 * data[p11 + c]!);
  }
}
