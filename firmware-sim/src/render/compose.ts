import sharp from 'sharp';
import type { MeterLayoutInput } from '@metervision/protocol';
import { addGlare, exposeAndAddNoise, gaussianBlur, rotateCrop, toBytes, toFloatImage, type FloatImage } from './effects.ts';
import { meterGeometry, type MeterGeometry } from './geometry.ts';
import { meterLayout } from './layout.ts';
import { resolveRenderOptions, type RenderOptions, type ResolvedRenderOptions } from './options.ts';
import { SeededRandom } from './random.ts';
import { meterReading } from './reading.ts';
import { sceneSvg } from './scene.ts';

/** A rendered meter image with its truth. */
export interface RenderedMeter {
  /** JPEG or PNG bytes. */
  image: Buffer;
  contentType: 'image/jpeg' | 'image/png';
  /** The value the meter shows, truncated to the resolution of its last wheel or dial. */
  value: number;
  /** The shown value with leading zeros, for example `00530.0708`. */
  text: string;
  /** Exact layout of this image (upright frame), with alignment mark images as data URLs. */
  layout: MeterLayoutInput;
  /** Wheel positions (most significant first) and needle positions (x0.1 first), each in [0, 10). */
  wheelPositions: number[];
  pointerPositions: number[];
  /** The options used, defaults filled in. */
  options: ResolvedRenderOptions;
}

/**
 * Renders a synthetic meter photo showing `options.value`, with its true reading and exact layout.
 * Deterministic: the same options, seed included, give the same bytes.
 *
 * @example
 * const { image, text, layout } = await renderMeter({ value: 530.0708, blur: 1.5, seed: 7 });
 * // text === '00530.0708'
 */
export async function renderMeter(options: RenderOptions): Promise<RenderedMeter> {
  const resolved = resolveRenderOptions(options);
  const shape = { wheels: resolved.wheels, decimalWheels: resolved.decimalWheels, pointers: resolved.pointers, rolling: resolved.rolling };
  const reading = meterReading(resolved.value, shape);
  const geometry = meterGeometry(resolved.width, resolved.height, resolved.wheels, resolved.pointers);
  const padding = rotationPadding(resolved.width, resolved.height, resolved.rotationDegrees);

  const svg = sceneSvg({
    geometry,
    wheelPositions: reading.wheelPositions,
    pointerPositions: reading.pointerPositions,
    decimalWheels: resolved.decimalWheels,
    style: resolved.style,
    padding,
  });
  const scene = await rasterise(svg);
  const markImages = await Promise.all(geometry.marks.map((mark) => cropPng(scene, mark.box, padding)));

  const pixels = applyCameraEffects(scene, geometry, padding, resolved);
  const image = await encode(pixels, resolved);

  return {
    image,
    contentType: resolved.format === 'png' ? 'image/png' : 'image/jpeg',
    value: reading.value,
    text: reading.text,
    layout: meterLayout(geometry, resolved, markImages),
    wheelPositions: reading.wheelPositions,
    pointerPositions: reading.pointerPositions,
    options: resolved,
  };
}

/** Extra canvas so that the corners of a frame rotated by `degrees` still show the scene. */
function rotationPadding(width: number, height: number, degrees: number): { x: number; y: number } {
  if (degrees === 0) return { x: 0, y: 0 };
  const halfDiagonal = Math.hypot(width, height) / 2;
  return { x: Math.ceil(halfDiagonal - width / 2) + 2, y: Math.ceil(halfDiagonal - height / 2) + 2 };
}

async function rasterise(svg: string): Promise<FloatImage> {
  const { data, info } = await sharp(Buffer.from(svg)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return toFloatImage(data, info.width, info.height);
}

/** Cuts an alignment mark from the clean, upright scene and returns it as a PNG data URL. */
async function cropPng(scene: FloatImage, box: { x: number; y: number; width: number; height: number }, padding: { x: number; y: number }): Promise<string> {
  const png = await sharp(toBytes(scene), { raw: { width: scene.width, height: scene.height, channels: 3 } })
    .extract({ left: box.x + padding.x, top: box.y + padding.y, width: box.width, height: box.height })
    .png()
    .toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}

/** Applies the camera in physical order: rotation, glare on the glass, defocus, exposure, sensor noise. */
function applyCameraEffects(scene: FloatImage, geometry: MeterGeometry, padding: { x: number; y: number }, options: ResolvedRenderOptions): Buffer {
  const random = new SeededRandom(options.seed);
  const glareCentre = options.glareCentre ?? seededGlareCentre(geometry, random);

  let image = rotateCrop(scene, geometry.width, geometry.height, padding.x, padding.y, options.rotationDegrees);
  if (options.glare > 0) {
    const sigma = options.glareRadius * Math.min(geometry.width, geometry.height);
    addGlare(image, glareCentre.x, glareCentre.y, sigma, options.glare);
  }
  if (options.blur > 0) image = gaussianBlur(image, options.blur);
  exposeAndAddNoise(image, options.brightness, options.noise, random);
  return toBytes(image);
}

/** A glare position on the inner part of the meter face, drawn from the seed. */
function seededGlareCentre(geometry: MeterGeometry, random: SeededRandom): { x: number; y: number } {
  const angle = random.between(0, 2 * Math.PI);
  const distance = Math.sqrt(random.next()) * geometry.face.radius * 0.55;
  const x = geometry.face.x + Math.cos(angle) * distance;
  const y = geometry.face.y + Math.sin(angle) * distance;
  return { x: Math.min(geometry.width, Math.max(0, x)), y: Math.min(geometry.height, Math.max(0, y)) };
}

async function encode(pixels: Buffer, options: ResolvedRenderOptions): Promise<Buffer> {
  const input = sharp(pixels, { raw: { width: options.width, height: options.height, channels: 3 } });
  if (options.format === 'png') return input.png().toBuffer();
  return input.jpeg({ quality: options.jpegQuality }).toBuffer();
}
