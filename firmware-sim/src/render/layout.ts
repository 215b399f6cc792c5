import type { MeterLayoutInput } from '@metervision/protocol';
import { dialFactor } from './dials.ts';
import type { MeterGeometry, Rect } from './geometry.ts';
import type { ResolvedRenderOptions } from './options.ts';

/** Largest camera rotation, in degrees, that the marks' search radius covers. */
export const ALIGNMENT_MAX_ROTATION_DEGREES = 10;
/** Extra search margin, in pixels, for blur and rounding. */
const SEARCH_MARGIN = 6;
/** The protocol caps the search radius at 200 pixels. */
const MAX_SEARCH_RADIUS = 200;

/**
 * Builds the exact layout of a rendered meter in the upright frame: wheel windows as digit ROIs,
 * dial boxes as pointer ROIs with their factor and hub, both alignment marks with their images,
 * and the drive of the last wheel. `rotateDegrees` stays 0: an image rotated by the camera knob is
 * brought back by the marks, whose search radius covers rotations up to
 * ALIGNMENT_MAX_ROTATION_DEGREES.
 */
export function meterLayout(geometry: MeterGeometry, options: ResolvedRenderOptions, markImages: string[]): MeterLayoutInput {
  const integerWheels = options.wheels - options.decimalWheels;
  const digitRoi = (rect: Rect, index: number) => ({ name: `dig${index + 1}`, ...rect });

  return {
    formatVersion: 1,
    name: `synthetic ${integerWheels}+${options.decimalWheels} wheels, ${options.pointers} dials`,
    unit: 'm3',
    frame: { width: geometry.width, height: geometry.height },
    rotateDegrees: 0,
    alignment: {
      marks: geometry.marks.map((mark, index) => ({ name: `ref${index}`, ...mark.box, image: markImages[index] ?? '' })),
      searchRadius: searchRadius(geometry),
      minSimilarity: 0.6,
    },
    digits: geometry.wheels.slice(0, integerWheels).map(digitRoi),
    decimalDigits: geometry.wheels.slice(integerWheels).map((rect, index) => ({ name: `dec${index + 1}`, ...rect })),
    pointers: geometry.dials.map((dial, index) => ({
      name: `ana${index + 1}`,
      ...dial.box,
      factor: dialFactor(index, options.decimalWheels),
      direction: 'clockwise' as const,
      zeroAngleDegrees: 0,
      centre: { x: dial.centre.x, y: dial.centre.y },
      needle: 'red' as const,
    })),
    digitStyle: options.style,
    wheelDrive: wheelDrive(options),
    decimalShift: 0,
    extendedResolution: false,
    minConfidence: 0.6,
  };
}

/**
 * Returns the drive of the wheel next to the dials as rendered. A rolling last wheel turns with
 * the dials (`continuous`). Without rolling, wheels snap to whole digits, the limit of an
 * `intermittent` drive whose jump takes no time. A reader then flags an image whose finer dial is
 * past about 9.3, because a real intermittent wheel would be part-way through its jump there.
 */
function wheelDrive(options: ResolvedRenderOptions): 'continuous' | 'intermittent' {
  return options.rolling ? 'continuous' : 'intermittent';
}

/**
 * How far a mark moves when the image turns by up to the covered rotation about its centre. The
 * marks are round, so the best match moves with the mark's centre.
 */
function searchRadius(geometry: MeterGeometry): { x: number; y: number } {
  const halfAngle = (ALIGNMENT_MAX_ROTATION_DEGREES * Math.PI) / 360;
  let radius = 0;
  for (const { centre } of geometry.marks) {
    const distance = Math.hypot(centre.x - geometry.width / 2, centre.y - geometry.height / 2);
    radius = Math.max(radius, 2 * distance * Math.sin(halfAngle));
  }
  const pixels = Math.min(MAX_SEARCH_RADIUS, Math.ceil(radius) + SEARCH_MARGIN);
  return { x: pixels, y: pixels };
}
