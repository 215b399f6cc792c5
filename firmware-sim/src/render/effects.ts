import type { SeededRandom } from './random.ts';

/**
 * Camera effects on interleaved RGB pixels held as floats (0-255 scale, values above 255 allowed
 * until the exposure stage clips them). Each function returns a new or updated image and runs
 * in a fixed order chosen by the caller, unlike sharp's pipeline, which applies its operations
 * in its own order whatever the call order.
 */
export interface FloatImage {
  data: Float32Array;
  width: number;
  height: number;
}

const CHANNELS = 3;

/** Converts 8-bit RGB pixels to a float image. */
export function toFloatImage(data: Buffer, width: number, height: number): FloatImage {
  return { data: Float32Array.from(data), width, height };
}

/** Rounds a float image to 8-bit RGB, clipping to 0-255. */
export function toBytes(image: FloatImage): Buffer {
  const bytes = Buffer.alloc(image.data.length);
  for (let index = 0; index < image.data.length; index += 1) {
    bytes[index] = Math.min(255, Math.max(0, Math.round(image.data[index] ?? 0)));
  }
  return bytes;
}

/**
 * Rotates `source` by `degrees` (positive clockwise on screen) about the centre of the output
 * frame and cuts a `width` x `height` frame from it. `source` holds the frame with `padX`/`padY`
 * extra pixels on each side, so the corners of the output show the padded scene, not a fill colour.
 * Sampling is bilinear.
 */
export function rotateCrop(source: FloatImage, width: number, height: number, padX: number, padY: number, degrees: number): FloatImage {
  if (degrees === 0 && padX === 0 && padY === 0) return { data: source.data.slice(), width, height };

  const output = new Float32Array(width * height * CHANNELS);
  const radians = (degrees * Math.PI) / 180;
  const cos = Math.cos(radians);
  const sin = Math.sin(radians);
  const centreX = width / 2;
  const centreY = height / 2;

  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const dx = x + 0.5 - centreX;
      const dy = y + 0.5 - centreY;
      const sourceX = centreX + cos * dx + sin * dy + padX - 0.5;
      const sourceY = centreY - sin * dx + cos * dy + padY - 0.5;
      sampleBilinear(source, sourceX, sourceY, output, (y * width + x) * CHANNELS);
    }
  }
  return { data: output, width, height };
}

function sampleBilinear(source: FloatImage, x: number, y: number, output: Float32Array, offset: number): void {
  const left = clampIndex(Math.floor(x), source.width);
  const top = clampIndex(Math.floor(y), source.height);
  const right = clampIndex(left + 1, source.width);
  const bottom = clampIndex(top + 1, source.height);
  const fx = Math.min(1, Math.max(0, x - left));
  const fy = Math.min(1, Math.max(0, y - top));
  const topLeft = (top * source.width + left) * CHANNELS;
  const topRight = (top * source.width + right) * CHANNELS;
  const bottomLeft = (bottom * source.width + left) * CHANNELS;
  const bottomRight = (bottom * source.width + right) * CHANNELS;
  const data = source.data;

  for (let channel = 0; channel < CHANNELS; channel += 1) {
    const upper = (data[topLeft + channel] ?? 0) * (1 - fx) + (data[topRight + channel] ?? 0) * fx;
    const lower = (data[bottomLeft + channel] ?? 0) * (1 - fx) + (data[bottomRight + channel] ?? 0) * fx;
    output[offset + channel] = upper * (1 - fy) + lower * fy;
  }
}

function clampIndex(index: number, size: number): number {
  return Math.min(size - 1, Math.max(0, index));
}

/**
 * Adds a glare spot: white light with a Gaussian fall-off of `sigma` pixels around
 * (`centreX`, `centreY`). At `strength` 1 the centre gains 300 grey levels, which saturates any pixel.
 */
export function addGlare(image: FloatImage, centreX: number, centreY: number, sigma: number, strength: number): void {
  const peak = 300 * strength;
  const denominator = 2 * sigma * sigma;
  for (let y = 0; y < image.height; y += 1) {
    for (let x = 0; x < image.width; x += 1) {
      const distanceSquared = (x + 0.5 - centreX) ** 2 + (y + 0.5 - centreY) ** 2;
      const light = peak * Math.exp(-distanceSquared / denominator);
      if (light < 0.01) continue;
      const offset = (y * image.width + x) * CHANNELS;
      for (let channel = 0; channel < CHANNELS; channel += 1) {
        image.data[offset + channel] = (image.data[offset + channel] ?? 0) + light;
      }
    }
  }
}

/** Applies a separable Gaussian blur of `sigma` pixels (kernel radius 3 sigma, edges repeated). */
export function gaussianBlur(image: FloatImage, sigma: number): FloatImage {
  const kernel = gaussianKernel(sigma);
  const horizontal = convolve(image, kernel, 1, 0);
  return convolve(horizontal, kernel, 0, 1);
}

function gaussianKernel(sigma: number): Float32Array {
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const kernel = new Float32Array(2 * radius + 1);
  let sum = 0;
  for (let offset = -radius; offset <= radius; offset += 1) {
    const weight = Math.exp(-(offset * offset) / (2 * sigma * sigma));
    kernel[offset + radius] = weight;
    sum += weight;
  }
  return kernel.map((weight) => weight / sum);
}

function convolve(image: FloatImage, kernel: Float32Array, stepX: number, stepY: number): FloatImage {
  const { width, height, data } = image;
  const radius = (kernel.length - 1) / 2;
  const output = new Float32Array(data.length);

  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      let red = 0;
      let green = 0;
      let blue = 0;
      for (let tap = -radius; tap <= radius; tap += 1) {
        const weight = kernel[tap + radius] ?? 0;
        const px = clampIndex(x + tap * stepX, width);
        const py = clampIndex(y + tap * stepY, height);
        const offset = (py * width + px) * CHANNELS;
        red += weight * (data[offset] ?? 0);
        green += weight * (data[offset + 1] ?? 0);
        blue += weight * (data[offset + 2] ?? 0);
      }
      const offset = (y * width + x) * CHANNELS;
      output[offset] = red;
      output[offset + 1] = green;
      output[offset + 2] = blue;
    }
  }
  return { data: output, width, height };
}

/**
 * Simulates the sensor: multiplies by the exposure `gain`, clips at white, then adds Gaussian
 * noise of `noiseSigma` grey levels. `toBytes` clips the noisy result to 0-255.
 */
export function exposeAndAddNoise(image: FloatImage, gain: number, noiseSigma: number, random: SeededRandom): void {
  const { data } = image;
  for (let index = 0; index < data.length; index += 1) {
    const exposed = Math.min(255, (data[index] ?? 0) * gain);
    data[index] = noiseSigma > 0 ? exposed + noiseSigma * random.gaussian() : exposed;
  }
}
