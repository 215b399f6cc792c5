import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { meterReading } from '../render/reading.ts';
import { STRESS_CONDITIONS, stressCases } from './conditions.ts';
import { writeStressSet } from './write-set.ts';

describe('stressCases', () => {
  it('repeats the same cases for a seed', () => {
    expect(stressCases(2, 5)).toEqual(stressCases(2, 5));
    expect(stressCases(2, 5)).not.toEqual(stressCases(2, 6));
  });

  it('gives every case a unique id', () => {
    const ids = stressCases(3, 1).map((stressCase) => stressCase.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('covers each condition', () => {
    const conditions = new Set(stressCases(1, 1).map((stressCase) => stressCase.condition));
    for (const condition of STRESS_CONDITIONS) expect(conditions.has(condition.name), condition.name).toBe(true);
    expect(conditions.has('rolling-carry')).toBe(true);
  });

  it('keeps the finest needle off its ticks', () => {
    for (const stressCase of stressCases(2, 1).filter((candidate) => !candidate.condition.startsWith('rolling'))) {
      const { pointerPositions, wheelPositions } = meterReading(stressCase.options.value, {
        wheels: stressCase.options.wheels ?? 5,
        decimalWheels: stressCase.options.decimalWheels ?? 0,
        pointers: stressCase.options.pointers ?? 4,
        rolling: true,
      });
      const finest = pointerPositions.at(-1) ?? wheelPositions.at(-1) ?? 0;
      const fraction = finest - Math.floor(finest);
      expect(fraction, stressCase.id).toBeGreaterThanOrEqual(0.29);
      expect(fraction, stressCase.id).toBeLessThanOrEqual(0.71);
    }
  });

  it('keeps rotations within ten degrees', () => {
    for (const stressCase of stressCases(1, 1)) {
      expect(Math.abs(stressCase.options.rotationDegrees ?? 0), stressCase.id).toBeLessThanOrEqual(10);
    }
  });
});

describe('writeStressSet', () => {
  it('writes images and a manifest', async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'sim-stress-'));
    try {
      const entries = await writeStressSet({ outDir, perCondition: 1, seed: 3 });
      const files = await readdir(outDir);
      const manifest = JSON.parse(await readFile(join(outDir, 'manifest.json'), 'utf8'));

      expect(files).toHaveLength(entries.length + 1);
      expect(manifest.images).toHaveLength(entries.length);
      const rotated = manifest.images.find((entry: { condition: string }) => entry.condition === 'rotation-right');
      expect(rotated.parameters.rotationDegrees).toBe(10);
      expect(rotated.text).toMatch(/^\d{5}\.\d{4}$/);
      expect(rotated.layout.alignment.marks).toHaveLength(2);
    } finally {
      await rm(outDir, { recursive: true, force: true });
    }
  });
});
