import { counterDefs, counterSvg, type WheelStyle } from './wheels.ts';
import { dialsSvg, flowStarSvg } from './dials.ts';
import { fixed } from './glyphs.ts';
import type { MeterGeometry } from './geometry.ts';
import { marksSvg } from './marks.ts';

export interface SceneInput {
  geometry: MeterGeometry;
  wheelPositions: number[];
  pointerPositions: number[];
  decimalWheels: number;
  style: WheelStyle;
  /** Extra canvas around the image on each side, so a rotated image has no empty corners. */
  padding: { x: number; y: number };
}

/** Builds the SVG of the whole meter scene: surround, face plate, counter, dials and marks. */
export function sceneSvg(input: SceneInput): string {
  const { geometry, padding } = input;
  const canvasWidth = geometry.width + 2 * padding.x;
  const canvasHeight = geometry.height + 2 * padding.y;
  const face = geometry.face;

  const defs =
    `<defs>${counterDefs()}` +
    '<radialGradient id="face-light" cx="0.45" cy="0.4" r="0.7">' +
    '<stop offset="0" stop-color="#f1f2ee"/><stop offset="0.75" stop-color="#dcdfda"/><stop offset="1" stop-color="#b9bdb8"/>' +
    '</radialGradient>' +
    '<radialGradient id="surround" cx="0.5" cy="0.5" r="0.75">' +
    '<stop offset="0" stop-color="#3b3f3c"/><stop offset="1" stop-color="#171918"/>' +
    '</radialGradient></defs>';

  const body = [
    `<rect x="${-padding.x}" y="${-padding.y}" width="${canvasWidth}" height="${canvasHeight}" fill="url(#surround)"/>`,
    `<circle cx="${fixed(face.x)}" cy="${fixed(face.y)}" r="${fixed(face.radius + 14 * geometry.scale)}" fill="#8d9294"/>`,
    `<circle cx="${fixed(face.x)}" cy="${fixed(face.y)}" r="${fixed(face.radius)}" fill="url(#face-light)"/>`,
    counterSvg(geometry, input.wheelPositions, input.decimalWheels, input.style),
    flowStarSvg(geometry),
    dialsSvg(geometry, input.pointerPositions, input.decimalWheels),
    marksSvg(geometry),
  ].join('');

  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${canvasWidth}" height="${canvasHeight}" ` +
    `viewBox="${-padding.x} ${-padding.y} ${canvasWidth} ${canvasHeight}">${defs}${body}</svg>`
  );
}
