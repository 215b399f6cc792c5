/** Otsu's threshold of a 256-bin histogram: the level that maximises the between-class variance. */
export function otsuThreshold(histogram: Uint32Array | number[]): number {
  let total = 0;
  let sum = 0;
  for (let level = 0; level < 256; level += 1) {
    total += histogram[level]!;
    sum += level * histogram[level]!;
  }

  let best = 0;
  let bestVariance = -1;
  let weightLow = 0;
  let sumLow = 0;
  for (let level = 0; level < 256; level += 1) {
    weightLow += histogram[level]!;
    if (weightLow === 0) continue;
    const weightHigh = total - weightLow;
    if (weightHigh === 0) break;

    sumLow += level * histogram[level]!;
    const meanLow = sumLow / weightLow;
    const meanHigh = (sum - sumLow) / weightHigh;
    const variance = weightLow * weightHigh * (meanLow - meanHigh) ** 2;
    if (variance > bestVariance) {
      bestVariance = variance;
      best = level;
    }
  }
  return best;
}

/** Histogram of 8-bit samples. */
export function histogramOf(data: Uint8Array): Uint32Array {
  const histogram = new Uint32Array(256);
  for (let i = 0; i < data.length; i += 1) histogram[data[i]!]! += 1;
  return histogram;
}

/** Level below which `share` (0-1) of the samples lie. */
export function percentile(histogram: Uint32Array, share: number): number {
  let total = 0;
  for (let level = 0; level < 256; level += 1) total += histogram[level]!;

  const target = share * total;
  let seen = 0;
  for (let level = 0; level < 256; level += 1) {
    seen += histogram[level]!;
    if (seen >= target) return level;
  }
  return 255;
}
