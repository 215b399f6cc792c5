import { decodePayload, type ConfigReportMessage, type DeviceConfig } from '@metervision/protocol';

export type ConfigOutcome =
  | { kind: 'applied'; config: DeviceConfig; report: ConfigReportMessage }
  | { kind: 'rejected'; report: ConfigReportMessage }
  | { kind: 'unchanged' };

/**
 * Decides what to do with a message on the `config` topic. A valid configuration with a higher
 * version is applied. The same version again (the retained message redelivered on reconnect) is
 * ignored unless `reapply` is set. A lower version or an invalid message is rejected with one
 * issue per invalid field.
 */
export function handleConfigMessage(payload: Buffer, activeVersion: number | null, reapply: boolean, now: Date): ConfigOutcome {
  const at = now.toISOString();
  const decoded = decodePayload('config', payload);
  if (!decoded.ok) {
    return {
      kind: 'rejected',
      report: { v: 1, version: readVersion(payload), status: 'rejected', activeVersion, issues: decoded.issues, at },
    };
  }

  const config = decoded.value;
  if (activeVersion !== null && config.version < activeVersion) {
    const issue = { path: 'version', message: `version ${config.version} is older than the active version ${activeVersion}` };
    return { kind: 'rejected', report: { v: 1, version: config.version, status: 'rejected', activeVersion, issues: [issue], at } };
  }
  if (config.version === activeVersion && !reapply) return { kind: 'unchanged' };

  return {
    kind: 'applied',
    config,
    report: { v: 1, version: config.version, status: 'applied', activeVersion: config.version, issues: [], at },
  };
}

/** Reads the `version` field of an invalid message when it is a usable number, else 0 as the protocol requires. */
function readVersion(payload: Buffer): number {
  try {
    const version = (JSON.parse(payload.toString('utf8')) as { version?: unknown }).version;
    return typeof version === 'number' && Number.isInteger(version) && version >= 0 ? version : 0;
  } catch {
    return 0;
  }
}
