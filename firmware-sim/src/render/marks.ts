import { fixed } from './glyphs.ts';
import type { MeterGeometry } from './geometry.ts';

/**
 * SVG of the two alignment marks: round white stickers with a dark ring and a dark centre,
 * like the washers installers glue next to a meter. They are circularly symmetric, so a mark
 * matches its template at any camera rotation and two of them fix the rotation angle.
 */
export function marksSvg(geometry: MeterGeometry): string {
  return geometry.marks
    .map(({ centre }) => {
      const { x, y, radius } = centre;
      return (
        `<circle cx="${fixed(x)}" cy="${fixed(y)}" r="${fixed(radius)}" fill="#fbfbf8" stroke="#1d1d1d" stroke-width="${fixed(radius * 0.12)}"/>` +
        `<circle cx="${fixed(x)}" cy="${fixed(y)}" r="${fixed(radius * 0.38)}" fill="#1d1d1d"/>`
      );
    })
    .join('');
}
