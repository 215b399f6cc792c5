export { renderMeter, type RenderedMeter } from './render/compose.ts';
export { renderOptionsSchema, resolveRenderOptions, type RenderOptions, type ResolvedRenderOptions } from './render/options.ts';
export { meterReading, type MeterReading } from './render/reading.ts';
export { ALIGNMENT_MAX_ROTATION_DEGREES } from './render/layout.ts';
export { InvalidOptionError, type OptionIssue } from './errors.ts';
export { STRESS_CONDITIONS, stressCases, type StressCase, type StressCondition } from './stress/conditions.ts';
export { writeStressSet, type StressManifestEntry, type StressSetOptions } from './stress/write-set.ts';
