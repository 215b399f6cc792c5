import sharp from 'sharp';
import type { MeterLayout, PointerRoi, Roi } from '@metervision/protocol';
import { alignToMarks } from './align.ts';
import { decodeImage, toGrey } from './decode.ts';
import { VisionError } from './errors.ts';
import { layoutRotation, renderFrame } from './rotate.ts';
import type { Affine } from './transform.ts';
import type { MeterReadResult } from './types.ts';

export interface AnnotateOptions {
  /** JPEG quality of the output, 1-100. Default 85. */
  quality?: number;
}

const COLOURS = { digit: '#00e676', decimal: '#ff9100', pointer: '#40c4ff', mark: '#ffea00', failed: '#ff1744' };

/**
 * Draws the layout onto the photo for layout editing, `capture-once` and debugging. The image is
 * rotated (and aligned when the marks are found) into the layout frame. Digit ROIs, dial ROIs with
 * their hub and read needle, alignment marks and the recognised values are drawn on it.
 * Returns a JPEG. Throws VisionError for an image that cannot be decoded.
 */
export async function annotateImage(image: Buffer, layout: MeterLayout, result: MeterReadResult | null = null, options: AnnotateOptions = {}): Promise<Buffer> {
  const colour = await decodeImage(image);
  const rotation = layoutRotation(colour.width, colour.height, layout.rotateDegrees);
  let toSource: Affine = rotation;
  let alignmentNote: string | null = null;
  if (layout.alignment) {
    try {
      ({ toSource } = await alignToMarks(toGrey(colour), rotation, layout.alignment));
    } catch (error) {
      if (!(error instanceof VisionError)) throw error;
      alignmentNote = error.message;
    }
  }

  const frame = renderFrame(colour, toSource);
  const svg = overlaySvg(frame.width, frame.height, layout, result, alignmentNote);
  return sharp(frame.data, { raw: { width: frame.width, height: frame.height, channels: 3 } })
    .composite([{ input: Buffer.from(svg), top: 0, left: 0 }])
    .jpeg({ quality: options.quality ?? 85 })
    .toBuffer();
}

function overlaySvg(width: number, height: number, layout: MeterLayout, result: MeterReadResult | null, alignmentNote: string | null): string {
  const stroke = Math.max(1, Math.round(Math.min(width, height) / 320));
  const font = Math.max(10, Math.round(Math.min(width, height) / 32));
  const parts: string[] = [];

  layout.digits.forEach((roi, index) => parts.push(boxWithLabel(roi, COLOURS.digit, digitLabel(result?.digits[index]), stroke, font)));
  layout.decimalDigits.forEach((roi, index) => parts.push(boxWithLabel(roi, COLOURS.decimal, digitLabel(result?.decimalDigits[index]), stroke, font)));
  layout.pointers.forEach((roi, index) => parts.push(dial(roi, result?.pointers[index]?.value, stroke, font)));
  for (const mark of layout.alignment?.marks ?? []) {
    parts.push(boxWithLabel(mark, alignmentNote ? COLOURS.failed : COLOURS.mark, mark.name, stroke, font));
  }

  const headline = result
    ? `${result.text ?? 'no value'}  confidence ${result.confidence.toFixed(2)}${result.lowConfidenceReason ? '  LOW' : ''}`
    : layout.name ?? 'layout';
  parts.push(banner(headline, 0, font, result?.lowConfidenceReason ? COLOURS.failed : '#ffffff'));
  if (alignmentNote) parts.push(banner(alignmentNote, font + 8, Math.round(font * 0.6), COLOURS.failed));

  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${parts.join('')}</svg>`;
}

function digitLabel(digit: { value: number | null; confidence: number } | undefined): string {
  if (!digit) return '';
  return `${digit.value ?? '?'} ${Math.round(digit.confidence * 100)}%`;
}

function boxWithLabel(roi: Roi, colour: string, label: string, stroke: number, font: number): string {
  const small = Math.round(font * 0.6);
  return (
    `<rect x="${roi.x}" y="${roi.y}" width="${roi.width}" height="${roi.height}" fill="none" stroke="${colour}" stroke-width="${stroke}"/>` +
    `<text x="${roi.x}" y="${roi.y + roi.height + small}" font-family="sans-serif" font-size="${small}" fill="${colour}">${escapeXml(label)}</text>`
  );
}

function dial(roi: PointerRoi, value: number | undefined, stroke: number, font: number): string {
  const cx = roi.centre?.x ?? roi.x + (roi.width - 1) / 2;
  const cy = roi.centre?.y ?? roi.y + (roi.height - 1) / 2;
  const parts = [boxWithLabel(roi, COLOURS.pointer, value === undefined ? roi.name : `${roi.name} ${value.toFixed(2)}`, stroke, font)];
  parts.push(`<circle cx="${cx}" cy="${cy}" r="${stroke * 2}" fill="${COLOURS.pointer}"/>`);
  if (value !== undefined) {
    const sign = roi.direction === 'counterclockwise' ? -1 : 1;
    const radians = ((roi.zeroAngleDegrees + sign * value * 36) * Math.PI) / 180;
    const length = Math.min(roi.width, roi.height) * 0.45;
    const x = cx + Math.sin(radians) * length;
    const y = cy - Math.cos(radians) * length;
    parts.push(`<line x1="${cx}" y1="${cy}" x2="${x.toFixed(1)}" y2="${y.toFixed(1)}" stroke="${COLOURS.pointer}" stroke-width="${stroke}"/>`);
  }
  return parts.join('');
}

function banner(text: string, top: number, font: number, colour: string): string {
  return (
    `<rect x="0" y="${top}" width="100%" height="${font + 8}" fill="#000000" fill-opacity="0.6"/>` +
    `<text x="6" y="${top + font + 2}" font-family="sans-serif" font-size="${font}" fill="${colour}">${escapeXml(text)}</text>`
  );
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
