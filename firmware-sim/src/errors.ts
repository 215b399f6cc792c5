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

/** MQTT 3.1.1 CONNACK return codes that reject the client's credentials: 4 bad username or password, 5 not authorized. */
const CREDENTIAL_RETURN_CODES = new Set([4, 5]);

/**
 * Raised when a simulated device cannot make its first connection to the broker. `returnCode` is
 * the CONNACK return code when the broker refused the CONNECT, else null (unreachable, timeout).
 */
export class DeviceConnectError extends Error {
  override name = 'DeviceConnectError';
  readonly deviceId: string;
  readonly brokerUrl: string;
  readonly returnCode: number | null;

  constructor(deviceId: string, brokerUrl: string, cause: Error) {
    super(`Device ${deviceId} could not connect to ${brokerUrl}: ${cause.message}`, { cause });
    this.deviceId = deviceId;
    this.brokerUrl = brokerUrl;
    const code = (cause as { code?: unknown }).code;
    this.returnCode = typeof code === 'number' ? code : null;
  }

  /** True when the broker rejected the username or password; retrying with the same ones cannot help. */
  get credentialsRejected(): boolean {
    return this.returnCode !== null && CREDENTIAL_RETURN_CODES.has(this.returnCode);
  }
}
