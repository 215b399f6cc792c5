/** Machine-readable cause of a {@link VisionError}. */
export type VisionErrorCode =
  | 'invalid_image'
  | 'image_too_large'
  | 'frame_mismatch'
  | 'roi_outside_image'
  | 'alignment_failed'
  | 'ocr_failed'
  | 'reader_closed';

/**
 * An image or layout that cannot be read. `details` names the value that failed, for example
 * `{ roi: 'dig3', imageWidth: 640 }` or `{ mark: 'ref0', similarity: 0.41, minSimilarity: 0.6 }`.
 * The caller adds the file name or image id it has.
 */
export class VisionError extends Error {
  override name = 'VisionError';
  readonly code: VisionErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: VisionErrorCode, message: string, details: Record<string, unknown> = {}, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.details = details;
  }
}

/** One invalid field of a layout. `path` is the JSON path, for example `digits.2.width`. */
export interface LayoutIssue {
  path: string;
  message: string;
}

/** A layout document that does not follow the layout format; `issues` lists every invalid field. */
export class LayoutError extends Error {
  override name = 'LayoutError';
  readonly issues: LayoutIssue[];

  constructor(message: string, issues: LayoutIssue[], options?: ErrorOptions) {
    super(message, options);
    this.issues = issues;
  }
}
