import type { Logger } from 'pino';
import type { DevicesRepo } from './devices.repo.ts';

/** When a camera that stopped talking counts as offline. */
export interface LivenessOptions {
  /** Seconds between two heartbeats of a camera. Default 60 (the agent's and the simulator's default). */
  heartbeatIntervalSeconds: number;
  /** Heartbeats missed in a row before the camera counts as offline. Default 3. */
  missedHeartbeats: number;
  /** Milliseconds between two sweeps. Default 15000. */
  sweepIntervalMs: number;
}

export const DEFAULT_LIVENESS: Readonly<LivenessOptions> = Object.freeze({ heartbeatIntervalSeconds: 60, missedHeartbeats: 3, sweepIntervalMs: 15_000 });

export interface LivenessSweep {
  /** Runs one sweep now; resolves with the ids marked offline. */
  sweep(now?: Date): Promise<string[]>;
  /** Stops the timer and waits for a sweep in progress. */
  stop(): Promise<void>;
}

/**
 * Marks cameras offline after missed heartbeats. The last will covers a dropped TCP connection;
 * this covers a camera that stays connected but hangs, and one that reports only over HTTP.
 * Every node may run it: the update only moves `online` rows older than the cutoff.
 */
export function startLivenessSweep(devices: DevicesRepo, logger: Logger, options: Partial<LivenessOptions> = {}): LivenessSweep {
  const settings = { ...DEFAULT_LIVENESS, ...options };
  const silenceMs = settings.heartbeatIntervalSeconds * settings.missedHeartbeats * 1000;
  let running: Promise<string[]> | null = null;

  const sweep = (now = new Date()): Promise<string[]> => {
    running ??= devices
      .markSilentOffline(new Date(now.getTime() - silenceMs))
      .then((ids) => {
        if (ids.length > 0) logger.info({ deviceIds: ids.slice(0, 20), count: ids.length, silenceMs }, 'devices offline after missed heartbeats');
        return ids;
      })
      .finally(() => {
        running = null;
      });
    return running;
  };

  const timer = setInterval(() => {
    sweep().catch((error: unknown) => logger.error({ err: error }, 'liveness sweep failed'));
  }, settings.sweepIntervalMs);
  timer.unref();

  return {
    sweep,
    stop: async () => {
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
