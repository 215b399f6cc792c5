/**
 * Thresholds and timeouts of the installation workflow, given to `startCloud` as
 * `installations`. Every field has a documented default; the operator-relevant ones also have
 * environment variables (`ENV_VARIABLES` in `config/env.ts`).
 */
export interface InstallationSettings {
  /** Seconds a pairing code stays valid after the session starts. Default 900 (15 minutes). */
  pairingCodeTtlSeconds: number;
  /** Wrong device ids tried with one code before the code stops working. Default 5. */
  maxPairingAttempts: number;
  /** Connectivity: the last heartbeat may be at most this old, in seconds. Default 180 (three 60 s heartbeats). */
  heartbeatWindowSeconds: number;
  /** Connectivity: signal below this fails, in dBm. Default -85. */
  minSignalDbm: number;
  /** Connectivity: signal below this is a warning, in dBm. Default -75. */
  warnSignalDbm: number;
  /** Connectivity: a larger clock skew fails, in milliseconds. Default 30000. */
  maxClockSkewMs: number;
  /** Connectivity: a larger clock skew is a warning, in milliseconds. Default 5000. */
  warnClockSkewMs: number;
  /** Image quality: milliseconds to wait for the image after the `send_image` command. Default 20000. */
  imageTimeoutMs: number;
  /** Image quality: smallest accepted image width and height, in pixels. Default 320×240. */
  minImageWidth: number;
  minImageHeight: number;
  /**
   * Image quality: a metric within this fraction of its limit, on the passing side, is a warning.
   * Default 0.1 (10 %).
   */
  qualityWarningMargin: number;
  /** Recognition: lowest accepted confidence of each wheel and dial; null uses the layout's `minConfidence`. Default null. */
  minDigitConfidence: number | null;
  /** Verification: largest accepted difference between the read and the typed value, in the meter's unit. Default 0.5. */
  valueTolerance: number;
  /** A validation still running after this many milliseconds counts as abandoned and may be started again. Default 120000. */
  validationTimeoutMs: number;
}

export const DEFAULT_INSTALLATION_SETTINGS: Readonly<InstallationSettings> = Object.freeze({
  pairingCodeTtlSeconds: 900,
  maxPairingAttempts: 5,
  heartbeatWindowSeconds: 180,
  minSignalDbm: -85,
  warnSignalDbm: -75,
  maxClockSkewMs: 30_000,
  warnClockSkewMs: 5_000,
  imageTimeoutMs: 20_000,
  minImageWidth: 320,
  minImageHeight: 240,
  qualityWarningMargin: 0.1,
  minDigitConfidence: null,
  valueTolerance: 0.5,
  validationTimeoutMs: 120_000,
});
