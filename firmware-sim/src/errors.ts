/** One invalid option: its dotted path, the value received and what was expected. */
export interface OptionIssue {
  path: string;
  received: unknown;
  message: string;
}

/**
 * Raised when an option passed to the simulator (render knobs, camera, device or fleet settings)
 * is invalid. `issues` names each invalid field with the value that was received.
 */
export class InvalidOptionError extends Error {
  override name = 'InvalidOptionError';
  readonly issues: OptionIssue[];

  constructor(context: string, issues: OptionIssue[], options?: { cause?: unknown }) {
    const list = issues.map((issue) => `${issue.path || '(options)'} = ${formatValue(issue.received)}: ${issue.message}`);
    super(`Invalid ${context} options: ${list.join('; ')}`, options);
    this.issues = issues;
  }
}

function formatValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  const json = JSON.stringify(value);
  return json.length > 60 ? `${json.slice(0, 57)}...` : json;
}
