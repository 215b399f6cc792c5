// Public API of @metervision/vision: reading meter photos, plausibility and image quality.
export type * from './types.ts';
export { MeterReader, type MeterReaderOptions } from './reader.ts';
export { VisionError, LayoutError, type VisionErrorCode, type LayoutIssue } from './errors.ts';
export { parseLayout, loadLayoutFile, type ParseLayoutOptions } from './layout.ts';
export { checkPlausibility, type PlausibilityVerdict, type TimedValue } from './plausibility.ts';
export {
  measureImageQuality,
  assessImageQuality,
  QUALITY_THRESHOLDS,
  type QualityThreshold,
  type QualityIssue,
} from './quality.ts';
export {
  composeReading,
  type ComposeInput,
  type ComposedReading,
  type WheelObservation,
  type DialObservation,
} from './compose.ts';
export { MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS } from './decode.ts';
export { annotateImage, type AnnotateOptions } from './annotate.ts';
