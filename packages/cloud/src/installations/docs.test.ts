import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { QUALITY_THRESHOLDS } from '@metervision/vision';
import { describe, expect, it } from 'vitest';
import { DEFAULT_INSTALLATION_SETTINGS as defaults } from './settings.ts';

const DOC_PATH = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../docs/installations.md');
const doc = readFileSync(DOC_PATH, 'utf8');

function limit(metric: string, kind: 'min' | 'max'): number {
  const threshold = QUALITY_THRESHOLDS.find((row) => row.metric === metric && row.kind === kind);
  if (!threshold) throw new Error(`QUALITY_THRESHOLDS has no ${kind} limit for ${metric}`);
  return threshold.limit;
}

describe('docs/installations.md', () => {
  it('states the quality thresholds', () => {
    expect(doc).toContain(`mean grey ${limit('brightness', 'min')}-${limit('brightness', 'max')}`);
    expect(doc).toContain(`standard deviation ≥ ${limit('contrast', 'min')}`);
    expect(doc).toContain(`variance of the Laplacian ≥ ${limit('sharpness', 'min')}`);
    expect(doc).toContain(`saturated share ≤ ${limit('glare', 'max')}`);
  });

  it('shows the real brightness limit', () => {
    expect(doc).toContain(`"threshold": {"min": ${limit('brightness', 'min')}, "max": ${limit('brightness', 'max')}}`);
    expect(doc).toContain(`is below the limit of ${limit('brightness', 'min')}.`);
  });

  it('states the default settings', () => {
    expect(doc).toContain(`\`heartbeatWindowSeconds\` ago (${defaults.heartbeatWindowSeconds})`);
    expect(doc).toContain(`\`minSignalDbm\` (${defaults.minSignalDbm} dBm)`);
    expect(doc).toContain(`\`warnSignalDbm\` (${defaults.warnSignalDbm})`);
    expect(doc).toContain(`\`maxClockSkewMs\` (${defaults.maxClockSkewMs / 1000} s)`);
    expect(doc).toContain(`\`warnClockSkewMs\` (${defaults.warnClockSkewMs / 1000} s)`);
    expect(doc).toContain(`\`imageTimeoutMs\` (${defaults.imageTimeoutMs / 1000} s)`);
    expect(doc).toContain(`(${defaults.minImageWidth}×${defaults.minImageHeight})`);
    expect(doc).toContain(`\`qualityWarningMargin\` (${defaults.qualityWarningMargin * 100} %)`);
    expect(doc).toContain(`\`valueTolerance\` (${defaults.valueTolerance} in the meter's unit)`);
    expect(doc).toContain(`\`validationTimeoutMs\` (${defaults.validationTimeoutMs / 60_000} minutes)`);
    expect(doc).toContain(`\`maxPairingAttempts\` (${defaults.maxPairingAttempts})`);
  });
});
