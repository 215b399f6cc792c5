// Renders the digit templates used to check partly visible wheel digits, from fonts installed on
// the build machine (DejaVu and Liberation, both freely licensed), into src/digits/templates.json.
// Run after changing the font list: tsx packages/vision/scripts/make-digit-templates.ts
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const FONTS = ['DejaVu Sans', 'DejaVu Sans Condensed', 'Liberation Sans', 'Liberation Sans Narrow'];
const WEIGHTS = ['normal', 'bold'];
const HEIGHT = 32;

// Meter wheels often print the 1 as a bare bar, or a bar with a flag but no foot, unlike book fonts.
const PLAIN_ONES = [
  '<rect x="40" y="10" width="14" height="100" fill="black"/>',
  '<rect x="40" y="10" width="14" height="100" fill="black"/><polygon points="40,10 54,10 26,34 20,28" fill="black"/>',
];

async function renderDigit(font: string, weight: string, digit: number): Promise<{ width: number; bits: string }> {
  return toBits(`<text x="16" y="100" font-family="${font}" font-weight="${weight}" font-size="96" fill="black">${digit}</text>`);
}

async function toBits(shape: string): Promise<{ width: number; bits: string }> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="96" height="128"><rect width="96" height="128" fill="white"/>${shape}</svg>`;
  const trimmed = await sharp(Buffer.from(svg)).greyscale().threshold(128).trim({ background: '#ffffff' }).toBuffer();
  const { data, info } = await sharp(trimmed).resize({ height: HEIGHT, kernel: 'lanczos3' }).greyscale().raw().toBuffer({ resolveWithObject: true });
  const bits = Array.from(data.subarray(0, info.width * info.height), (value) => (value < 128 ? '1' : '0')).join('');
  return { width: info.width, bits: BigInt(`0b1${bits}`).toString(16) };
}

const templates = [];
for (const font of FONTS) {
  for (const weight of WEIGHTS) {
    const digits = [];
    for (let digit = 0; digit <= 9; digit += 1) digits.push({ digit, ...(await renderDigit(font, weight, digit)) });
    templates.push({ font: `${font} ${weight}`, digits });
  }
}

templates.push({ font: 'plain 1', digits: await Promise.all(PLAIN_ONES.map(async (shape) => ({ digit: 1, ...(await toBits(shape)) }))) });

const out = join(dirname(fileURLToPath(import.meta.url)), '../src/digits/templates.json');
await writeFile(out, `${JSON.stringify({ height: HEIGHT, templates })}\n`);
console.log(`wrote ${templates.reduce((sum, font) => sum + font.digits.length, 0)} digit templates to ${out}`);
