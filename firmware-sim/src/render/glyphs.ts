/**
 * Digit and label glyphs drawn as SVG centre-line paths, so images never depend on the fonts
 * installed on a machine. Each glyph lives in a box 100 units tall; a round-capped stroke of
 * `GLYPH_STROKE` units turns the centre lines into a bold sans-serif face like odometer print.
 */
const DIGIT_WIDTH = 60;
const GLYPH_HEIGHT = 100;
const GLYPH_STROKE = 12;

interface Glyph {
  width: number;
  path: string;
}

const GLYPHS: Record<string, Glyph> = {
  '0': { width: DIGIT_WIDTH, path: 'M30 6C46 6 54 22 54 50C54 78 46 94 30 94C14 94 6 78 6 50C6 22 14 6 30 6Z' },
  '1': { width: DIGIT_WIDTH, path: 'M13 25L35 6V94' },
  '2': { width: DIGIT_WIDTH, path: 'M8 27C8 14 18 6 30 6C42 6 52 14 52 27C52 42 40 52 28 63L8 94H54' },
  '3': {
    width: DIGIT_WIDTH,
    path: 'M9 18C13 10 21 6 30 6C43 6 51 14 51 26C51 38 42 47 27 47C44 47 54 57 54 70C54 85 43 94 30 94C19 94 10 89 6 80',
  },
  '4': { width: DIGIT_WIDTH, path: 'M41 94V6L6 66H56' },
  '5': { width: DIGIT_WIDTH, path: 'M50 6H13L9 46C15 41 22 39 30 39C44 39 54 49 54 65C54 82 43 94 29 94C18 94 10 89 6 80' },
  '6': {
    width: DIGIT_WIDTH,
    path: 'M48 12C44 8 38 6 32 6C16 6 7 24 7 52C7 79 16 94 31 94C45 94 54 83 54 67C54 51 45 41 31 41C19 41 9 49 7 60',
  },
  '7': { width: DIGIT_WIDTH, path: 'M6 6H54C40 30 30 60 24 94' },
  '8': {
    width: DIGIT_WIDTH,
    path: 'M30 46C18 46 10 39 10 26C10 14 18 6 30 6C42 6 50 14 50 26C50 39 42 46 30 46C16 46 6 56 6 70C6 85 16 94 30 94C44 94 54 85 54 70C54 56 44 46 30 46Z',
  },
  '9': {
    width: DIGIT_WIDTH,
    path: 'M12 88C16 92 22 94 28 94C44 94 53 76 53 48C53 21 44 6 29 6C15 6 6 17 6 33C6 49 15 59 29 59C41 59 51 51 53 40',
  },
  '.': { width: 24, path: 'M12 92V93' },
  ',': { width: 24, path: 'M13 90L9 100' },
  x: { width: 50, path: 'M8 44L42 94M42 44L8 94' },
  ' ': { width: 30, path: '' },
  m: { width: 74, path: 'M8 94V44M8 58C8 48 14 42 22 42C30 42 36 48 36 58V94M36 58C36 48 42 42 50 42C58 42 64 48 64 58V94' },
};

/** Width of `text` in pixels when drawn `height` pixels tall. */
export function textWidth(text: string, height: number): number {
  let units = 0;
  for (const char of text) units += glyphFor(char).width;
  return (units * height) / GLYPH_HEIGHT;
}

/**
 * SVG for `text` with its top-left corner at (`x`, `y`), `height` pixels tall, stroked in
 * `colour`. Supports digits, space and the characters `.`, `,`, `x` and `m`.
 */
export function textSvg(text: string, x: number, y: number, height: number, colour: string): string {
  const scale = height / GLYPH_HEIGHT;
  let cursor = 0;
  const paths: string[] = [];
  for (const char of text) {
    const glyph = glyphFor(char);
    if (glyph.path) paths.push(`<path transform="translate(${cursor} 0)" d="${glyph.path}"/>`);
    cursor += glyph.width;
  }

  return (
    `<g transform="translate(${fixed(x)} ${fixed(y)}) scale(${fixed(scale)})" fill="none" stroke="${colour}" ` +
    `stroke-width="${GLYPH_STROKE}" stroke-linecap="round" stroke-linejoin="round">${paths.join('')}</g>`
  );
}

/** SVG for one digit centred on (`centreX`, `centreY`). */
export function digitSvg(digit: number, centreX: number, centreY: number, height: number, colour: string): string {
  const width = (DIGIT_WIDTH * height) / GLYPH_HEIGHT;
  return textSvg(String(digit), centreX - width / 2, centreY - height / 2, height, colour);
}

function glyphFor(char: string): Glyph {
  const glyph = GLYPHS[char];
  if (!glyph) throw new RangeError(`No glyph for character ${JSON.stringify(char)}: use digits, space, ".", ",", "x" or "m".`);
  return glyph;
}

/** Formats a coordinate with at most 3 decimals, so the SVG stays short and deterministic. */
export function fixed(value: number): string {
  return String(Math.round(value * 1000) / 1000);
}
