import { digitSvg, fixed, textSvg } from './glyphs.ts';
import type { MeterGeometry, Rect } from './geometry.ts';

export type WheelStyle = 'dark-on-light' | 'light-on-dark';

const WHEEL_COLOURS: Record<WheelStyle | 'decimal', { wheel: string; digit: string }> = {
  'dark-on-light': { wheel: '#f2f1ea', digit: '#161616' },
  'light-on-dark': { wheel: '#1a1a1a', digit: '#efefe8' },
  decimal: { wheel: '#b5231c', digit: '#f4f3ee' },
};

/** Digit height as a share of the window height; one digit pitch on the wheel equals the window height. */
const DIGIT_HEIGHT_RATIO = 0.64;

/** Shared SVG definitions of the counter: the shading that makes each wheel look like a cylinder. */
export function counterDefs(): string {
  return (
    '<linearGradient id="wheel-shade" x1="0" y1="0" x2="0" y2="1">' +
    '<stop offset="0" stop-color="#000" stop-opacity="0.6"/>' +
    '<stop offset="0.22" stop-color="#000" stop-opacity="0.08"/>' +
    '<stop offset="0.5" stop-color="#000" stop-opacity="0"/>' +
    '<stop offset="0.78" stop-color="#000" stop-opacity="0.08"/>' +
    '<stop offset="1" stop-color="#000" stop-opacity="0.6"/>' +
    '</linearGradient>'
  );
}

/**
 * SVG of the counter: the dark housing, one window per wheel showing the wheel at its position,
 * and the unit label. `positions` are the wheel positions in [0, 10), most significant first.
 */
export function counterSvg(geometry: MeterGeometry, positions: number[], decimalWheels: number, style: WheelStyle): string {
  const { housing, scale } = geometry;
  const parts = [
    `<rect x="${fixed(housing.x)}" y="${fixed(housing.y)}" width="${fixed(housing.width)}" height="${fixed(housing.height)}" ` +
      `rx="${fixed(6 * scale)}" fill="#141414" stroke="#3a3a3a" stroke-width="${fixed(2 * scale)}"/>`,
  ];

  geometry.wheels.forEach((window, index) => {
    const isDecimal = index >= positions.length - decimalWheels;
    const colours = WHEEL_COLOURS[isDecimal ? 'decimal' : style];
    parts.push(wheelSvg(window, positions[index] ?? 0, index, colours));
  });

  const unit = geometry.unitLabel;
  parts.push(textSvg('m', unit.x, unit.y, unit.height, '#1c1c1c'));
  parts.push(textSvg('3', unit.x + 0.78 * unit.height, unit.y - 0.2 * unit.height, unit.height * 0.5, '#1c1c1c'));
  return parts.join('');
}

/** One wheel window: the digits around `position` clipped to the window, then the cylinder shading. */
function wheelSvg(window: Rect, position: number, index: number, colours: { wheel: string; digit: string }): string {
  const clipId = `wheel-${index}`;
  const pitch = window.height;
  const digitHeight = window.height * DIGIT_HEIGHT_RATIO;
  const centreX = window.x + window.width / 2;
  const centreY = window.y + window.height / 2;
  const base = Math.floor(position);
  const fraction = position - base;

  const digits: string[] = [];
  for (let offset = -1; offset <= 2; offset += 1) {
    const digit = (((base + offset) % 10) + 10) % 10;
    digits.push(digitSvg(digit, centreX, centreY + (offset - fraction) * pitch, digitHeight, colours.digit));
  }

  const rect = `x="${window.x}" y="${window.y}" width="${window.width}" height="${window.height}"`;
  return (
    `<clipPath id="${clipId}"><rect ${rect}/></clipPath>` +
    `<g clip-path="url(#${clipId})"><rect ${rect} fill="${colours.wheel}"/>${digits.join('')}` +
    `<rect ${rect} fill="url(#wheel-shade)"/></g>`
  );
}
