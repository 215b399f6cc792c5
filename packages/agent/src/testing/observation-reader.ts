import type { MeterLayout, WheelDrive } from '@metervision/protocol';
import { type ComposeInput, composeReading, type MeterReadResult } from '@metervision/vision';
import { meterReading } from '@metervision/firmware-sim';
import type { ImageReader } from '../pipeline.ts';

/**
 * Reads "images" that are JSON wheel and dial observations instead of pixels, and composes them
 * with vision's real `composeReading` (roll-over resolution included). For tests of what the
 * agent does with a reading, independent of OCR accuracy on a given picture.
 */
export class ObservationReader implements ImageReader {
  async read(image: Buffer, layout: MeterLayout): Promise<MeterReadResult> {
    const input = JSON.parse(image.toString('utf8')) as ComposeInput;
    const composed = composeReading({
      ...input,
      decimalShift: layout.decimalShift,
      extendedResolution: layout.extendedResolution,
      wheelDrive: layout.wheelDrive,
    });
    return {
      value: composed.value,
      text: composed.text,
      digits: composed.digits,
      decimalDigits: composed.decimalDigits,
      pointers: composed.pointers,
      confidence: composed.confidence,
      lowConfidenceReason: composed.confidence < layout.minConfidence ? composed.issues.join('; ') : undefined,
      quality: { brightness: 128, contrast: 40, sharpness: 200, glare: 0 },
      alignment: null,
      durationMs: 1,
    };
  }
}

export interface MeterShape {
  /** Integer and decimal wheels together. */
  wheels: number;
  decimalWheels: number;
  pointers: number;
}

/**
 * Builds what a camera shows of a meter of `shape` showing `value`: each wheel's most visible digit with
 * its phase (negative while the digit is still rolling in), each dial's needle position. The
 * positions come from firmware-sim's odometer model, so wheels and dials agree as on a real meter.
 */
export function observe(value: number, shape: MeterShape): ComposeInput {
  const shown = meterReading(value, { ...shape, rolling: true });
  const integerWheels = shape.wheels - shape.decimalWheels;
  const wheel = (position: number, index: number) => {
    const nearest = Math.round(position);
    return { name: `dig${index + 1}`, digit: nearest % 10, confidence: 0.95, phase: position - nearest };
  };
  const all = shown.wheelPositions.map(wheel);
  return {
    digits: all.slice(0, integerWheels),
    decimalDigits: all.slice(integerWheels),
    pointers: shown.pointerPositions.map((position, index) => ({ name: `ana${index + 1}`, value: position, confidence: 0.95, factor: dialFactor(index, shape) })),
  };
}

/**
 * Builds a layout whose ROI names match {@link observe}: `dig1`… for wheels, `ana1`… for dials.
 * `wheelDrive` sets how the last wheel follows the dials; the simulator's meter turns it continuously.
 */
export function observationLayout(shape: MeterShape, wheelDrive: WheelDrive = 'auto') {
  const roi = (name: string, index: number) => ({ name, x: index * 10, y: 0, width: 8, height: 12 });
  const integerWheels = shape.wheels - shape.decimalWheels;
  return {
    digits: Array.from({ length: integerWheels }, (_, index) => roi(`dig${index + 1}`, index)),
    decimalDigits: Array.from({ length: shape.decimalWheels }, (_, index) => roi(`dig${integerWheels + index + 1}`, integerWheels + index)),
    pointers: Array.from({ length: shape.pointers }, (_, index) => ({ ...roi(`ana${index + 1}`, 20 + index), factor: dialFactor(index, shape) })),
    wheelDrive,
  };
}

/**
 * Returns the factor of dial `index`. Dials continue the place values after the decimal wheels,
 * so the first dial after three decimal wheels has 0.0001, and `parseLayout` rejects any other
 * factor. The factor is parsed from `1e-n` because `10 ** -4` gives 0.00009999999999999999.
 */
function dialFactor(index: number, shape: MeterShape): number {
  return Number(`1e-${shape.decimalWheels + index + 1}`);
}
