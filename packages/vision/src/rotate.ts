import type { RasterImage } from './decode.ts';
import { sampleRegion } from './crop.ts';
import { rotationAbout, type Affine } from './transform.ts';

/**
 * Frame-to-source map of the layout's rotation: the content turns by `degrees` (positive
 * clockwise on screen) about the image centre and the canvas keeps the image's size, so the
 * corners that rotate in come out black.
 */
export function layoutRotation(width: number, height: number, degrees: number): Affine {
  return rotationAbout({ x: (width - 1) / 2, y: (height - 1) / 2 }, degrees);
}

/** Renders the whole layout frame (same size as the source) through the frame-to-source map. */
export function renderFrame(source: RasterImage, toSource: Affine): RasterImage {
  return sampleRegion(source, toSource, { x: 0, y: 0, width: source.width, height: source.height });
}
