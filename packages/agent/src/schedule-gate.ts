import type { Credentials } from './credentials.ts';
import type { StateStore } from './outbox/state.ts';

/**
 * State of the capture schedule: `running`, `awaiting_configuration` (paired, and the cloud has
 * not sent the configuration of a completed installation yet) or `off` (`schedule: false`).
 */
export type ScheduleState = 'running' | 'awaiting_configuration' | 'off';

/** State key of the pairing under which the remote configuration in use was applied. */
const CONFIGURED_PAIRING_KEY = 'remoteConfigPairing';

interface ConfiguredPairing {
  /** `pairedAt` of the credentials in use when the configuration was applied; null without pairing. */
  pairedAt: string | null;
}

/**
 * Returns the time of the pairing whose credentials the agent logs in with, or null when it
 * runs without pairing (not paired, or with a password in the configuration file).
 */
export function pairingInUse(credentials: Credentials | null, configuredPassword: string | undefined): string | null {
  if (!credentials || configuredPassword !== undefined) return null;
  return credentials.pairedAt;
}

/**
 * Decides whether scheduled captures wait for the cloud. The cloud binds a paired camera to its
 * meter only when the installer completes the installation, and the camera's readings do not
 * become meter readings until then. It publishes the retained configuration at completion, so an agent that logs in
 * with pairing credentials captures on schedule only once a remote configuration has been
 * applied under that same pairing. A configuration kept from an earlier pairing does not count,
 * because the new installation is not complete yet.
 *
 * A configuration applied before this record existed is taken as applied under the current
 * pairing and recorded so, because the device ran with it already.
 */
export function awaitsConfiguration(state: StateStore, pairedAt: string | null): boolean {
  if (pairedAt === null) return false;
  if (state.remoteConfig === null) return true;

  const configured = state.getJson<ConfiguredPairing>(CONFIGURED_PAIRING_KEY);
  if (configured === null) {
    recordConfiguredPairing(state, pairedAt);
    return false;
  }
  return configured.pairedAt !== pairedAt;
}

/** Records the pairing under which a remote configuration is applied; call it in the same transaction. */
export function recordConfiguredPairing(state: StateStore, pairedAt: string | null): void {
  state.setJson(CONFIGURED_PAIRING_KEY, { pairedAt } satisfies ConfiguredPairing);
}
