import { fixed, textSvg, textWidth } from './glyphs.ts';
import type { MeterGeometry } from './geometry.ts';

const NEEDLE_RED = '#cf2a1f';
const DEGREES_PER_UNIT = 36;

/**
 * Value of one unit of dial `index` (x0.1 first) after `decimalWheels` decimal wheels. Parsed from
 * text because `10 ** -4` is 0.00009999999999999999, not the double nearest to 0.0001.
 */
export function dialFactor(index: number, decimalWheels: number): number {
  return Number(`1e-${decimalWheels + index + 1}`);
}

/**
 * Draws the pointer dials: a white plate with ten ticks and the numbers 0-9 clockwise from 12
 * o'clock, a red needle at its position (36 degrees per unit) and the factor label below.
 */
export function dialsSvg(geometry: MeterGeometry, positions: number[], decimalWheels: number): string {
  return geometry.dials
    .map((dial, index) => {
      const { x, y, radius } = dial.centre;
      const angle = (positions[index] ?? 0) * DEGREES_PER_UNIT;
      const label = `x${dialFactor(index, decimalWheels).toFixed(decimalWheels + index + 1).replace('.', ',')}`;
      const labelWidth = textWidth(label, dial.label.height);
      return (
        dialPlateSvg(x, y, radius) +
        needleSvg(x, y, radius, angle) +
        textSvg(label, dial.label.centreX - labelWidth / 2, dial.label.top, dial.label.height, '#303030')
      );
    })
    .join('');
}

function dialPlateSvg(x: number, y: number, radius: number): string {
  const parts = [
    `<circle cx="${fixed(x)}" cy="${fixed(y)}" r="${fixed(radius)}" fill="#f6f6f2" stroke="#2a2a2a" stroke-width="${fixed(radius * 0.03)}"/>`,
  ];
  const numberHeight = radius * 0.24;
  for (let unit = 0; unit < 10; unit += 1) {
    const radians = (unit * DEGREES_PER_UNIT * Math.PI) / 180;
    const dx = Math.sin(radians);
    const dy = -Math.cos(radians);
    parts.push(
      `<line x1="${fixed(x + dx * radius * 0.5)}" y1="${fixed(y + dy * radius * 0.5)}" x2="${fixed(x + dx * radius * 0.62)}" ` +
        `y2="${fixed(y + dy * radius * 0.62)}" stroke="#222" stroke-width="${fixed(radius * 0.05)}"/>`,
    );
    const numberX = x + dx * radius * 0.8;
    const numberY = y + dy * radius * 0.8;
    const width = textWidth(String(unit), numberHeight);
    parts.push(textSvg(String(unit), numberX - width / 2, numberY - numberHeight / 2, numberHeight, '#222'));
  }
  return parts.join('');
}

/** Draws a tapered red needle pointing `angle` degrees clockwise from 12 o'clock, with a short tail and a hub. */
function needleSvg(x: number, y: number, radius: number, angle: number): string {
  const tip = radius * 0.62;
  const tail = radius * 0.2;
  const half = radius * 0.09;
  const points = [
    [x, y - tip],
    [x + half, y],
    [x + half * 0.8, y + tail],
    [x - half * 0.8, y + tail],
    [x - half, y],
  ]
    .map(([px, py]) => `${fixed(px ?? 0)},${fixed(py ?? 0)}`)
    .join(' ');

  return (
    `<g transform="rotate(${fixed(angle)} ${fixed(x)} ${fixed(y)})">` +
    `<polygon points="${points}" fill="${NEEDLE_RED}" stroke="#8e1a13" stroke-width="${fixed(radius * 0.015)}"/></g>` +
    `<circle cx="${fixed(x)}" cy="${fixed(y)}" r="${fixed(radius * 0.16)}" fill="${NEEDLE_RED}"/>` +
    `<circle cx="${fixed(x)}" cy="${fixed(y)}" r="${fixed(radius * 0.05)}" fill="#5a120d"/>`
  );
}

/** Draws the red star wheel of the flow indicator, a distractor with the needles' colour outside every dial ROI. */
export function flowStarSvg(geometry: MeterGeometry): string {
  const { x, y, radius } = geometry.flowStar;
  const spokes = Array.from({ length: 6 }, (_, index) => {
    const radians = (index * 60 * Math.PI) / 180;
    return `<line x1="${fixed(x)}" y1="${fixed(y)}" x2="${fixed(x + Math.sin(radians) * radius)}" y2="${fixed(y - Math.cos(radians) * radius)}"/>`;
  });
  return (
    `<g stroke="${NEEDLE_RED}" stroke-width="${fixed(radius * 0.38)}" stroke-linecap="round">${spokes.join('')}</g>` +
    `<circle cx="${fixed(x)}" cy="${fixed(y)}" r="${fixed(radius * 0.3)}" fill="#a61f17"/>`
  );
}
