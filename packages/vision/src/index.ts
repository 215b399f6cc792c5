// Public API of @metervision/vision. Implementation files are added per stage (preprocess,
// align, digits, pointers, compose, plausibility, quality, annotate).
export type * from './types.ts';
