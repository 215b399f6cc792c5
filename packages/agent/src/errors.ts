/** One invalid field of a configuration: a dotted path (empty for the whole document) and what is wrong. */
export interface ConfigIssue {
  path: string;
  message: string;
}

/**
 * A local configuration file that cannot be used. `issues` lists every invalid field, so
 * `config check` can print them all at once.
 */
export class ConfigError extends Error {
  override name = 'ConfigError';
  readonly file: string | null;
  readonly issues: ConfigIssue[];

  constructor(message: string, options: { file?: string | null; issues?: ConfigIssue[]; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.file = options.file ?? null;
    this.issues = options.issues ?? [];
  }
}

/** Machine-readable cause of a {@link CaptureError}. */
export type CaptureErrorCode =
  | 'timeout'
  | 'command_not_found'
  | 'command_failed'
  | 'http_status'
  | 'http_failed'
  | 'too_large'
  | 'empty'
  | 'not_an_image'
  | 'no_image_file'
  | 'file_unreadable';

/**
 * A capture attempt that produced no image. `source` names where the image was to come from
 * (a file path, a URL without credentials, a command), so the error can be acted on.
 */
export class CaptureError extends Error {
  override name = 'CaptureError';
  readonly code: CaptureErrorCode;
  readonly source: string;
  readonly details: Record<string, unknown>;

  constructor(
    code: CaptureErrorCode,
    source: string,
    message: string,
    details: Record<string, unknown> = {},
    options?: ErrorOptions,
  ) {
    super(`${source}: ${message}`, options);
    this.code = code;
    this.source = source;
    this.details = details;
  }
}

/** A pairing request the cloud rejected or that could not reach it. */
export class PairingError extends Error {
  override name = 'PairingError';
  readonly status: number | null;

  constructor(message: string, status: number | null, options?: ErrorOptions) {
    super(message, options);
    this.status = status;
  }
}

/**
 * A file in the state directory (credentials, database) that exists but cannot be used. The
 * message names the file and the fix. The agent never deletes such a file itself, because it may
 * contain the device's credentials or unsent readings.
 */
export class StateFileError extends Error {
  override name = 'StateFileError';
  readonly file: string;

  constructor(file: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.file = file;
  }
}

/** Returns the message of any thrown value, for logs and reported errors. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
