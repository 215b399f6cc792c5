import {
  type ConfigReportMessage,
  decodePayload,
  type DeviceConfig,
  type PayloadIssue,
} from '@metervision/protocol';
import { LayoutError, parseLayout } from '@metervision/vision';
import type { Logger } from 'pino';
import { errorMessage } from '../errors.ts';

export interface RemoteConfigOptions {
  /** Version of the remote configuration in use; 0 while the local file's is used. */
  activeVersion(): number;
  /** Switches to a validated configuration and stores it; throws when it cannot be used. */
  apply(config: DeviceConfig): Promise<void>;
  logger: Logger;
}

/**
 * Handles one message on the retained `config` topic and returns the report to publish on
 * `config/report`, or null for an empty payload (a cleared retained message).
 *
 * Steps: decode and validate with the protocol's zod schema → refuse an older version than the
 * one in use → validate the layout's mark images with vision → apply. A configuration that fails
 * any step leaves the one in use untouched; the report lists every reason. The retained message
 * comes again on each reconnect: the same version is reported as applied without applying it
 * twice.
 */
export async function handleConfigMessage(payload: Buffer, options: RemoteConfigOptions): Promise<ConfigReportMessage | null> {
  if (payload.length === 0) return null;

  const active = options.activeVersion();
  const decoded = decodePayload('config', payload);
  if (!decoded.ok) return rejected(versionOf(payload), active, decoded.issues, options.logger);

  const config = decoded.value;
  if (config.version === active) return report(config.version, 'applied', active, []);
  if (config.version < active) {
    const issue = { path: 'version', message: `version ${config.version} is older than the active version ${active}; send a higher version` };
    return rejected(config.version, active, [issue], options.logger);
  }

  let layout;
  try {
    layout = await parseLayout(config.layout);
  } catch (error) {
    return rejected(config.version, active, layoutIssues(error), options.logger);
  }

  try {
    await options.apply({ ...config, layout });
  } catch (error) {
    return rejected(config.version, active, [{ path: '', message: `cannot apply: ${errorMessage(error)}` }], options.logger);
  }

  options.logger.info({ version: config.version, previousVersion: active }, 'remote configuration applied');
  return report(config.version, 'applied', config.version, []);
}

function rejected(version: number, active: number, issues: PayloadIssue[], logger: Logger): ConfigReportMessage {
  logger.warn({ version, activeVersion: active, issues }, 'remote configuration rejected, keeping the active one');
  return report(version, 'rejected', active, issues);
}

function report(version: number, status: 'applied' | 'rejected', activeVersion: number, issues: PayloadIssue[]): ConfigReportMessage {
  return { v: 1, version, status, activeVersion, issues, at: new Date().toISOString() };
}

/** Returns the `version` field of a payload that failed validation when it is usable, else 0. */
function versionOf(payload: Buffer): number {
  try {
    const version = (JSON.parse(payload.toString('utf8')) as { version?: unknown }).version;
    return typeof version === 'number' && Number.isInteger(version) && version >= 0 ? version : 0;
  } catch {
    return 0;
  }
}

function layoutIssues(error: unknown): PayloadIssue[] {
  if (error instanceof LayoutError) {
    return error.issues.map((issue) => ({ path: issue.path ? `layout.${issue.path}` : 'layout', message: issue.message }));
  }
  return [{ path: 'layout', message: errorMessage(error) }];
}
