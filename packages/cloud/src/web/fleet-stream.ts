import { TOPIC_PREFIX } from '@metervision/protocol';
import type { Context } from 'hono';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import type { Logger } from 'pino';
import type { PolicyRow } from '../access/policy.ts';
import type { MessageBus } from '../broker/bus.ts';
import type { ApiEnv, AppDeps } from '../http/context.ts';
import { organizationsAllowedBy } from './guard.ts';
import { FLEET_PAGE_SIZE, toFleetSnapshotJson } from './pages/fleet.ts';
import { listFleet } from './queries.ts';
import { loadSession } from './session.ts';

export interface FleetStreamOptions {
  /**
   * Maximum time between two reads of the fleet, in ms, which catches HTTP heartbeats and devices
   * on other nodes. Each read checks the session first, so it also bounds how long a stream outlives
   * a revoked access. Default 5000.
   */
  refreshMs: number;
  /**
   * Wait after a device message before reading, in ms, so ingestion has stored it. It is also the
   * shortest interval between two reads while devices publish continuously. Default 500.
   */
  settleMs: number;
  /** A stream closes after this long, in ms, and the browser opens a new one. Default 5 minutes. */
  maxStreamMs: number;
  /** Idle time after which a comment line is sent so proxies keep the connection, in ms. Default 25000. */
  keepAliveMs: number;
}

export const DEFAULT_FLEET_STREAM_OPTIONS: FleetStreamOptions = { refreshMs: 5000, settleMs: 500, maxStreamMs: 5 * 60_000, keepAliveMs: 25_000 };

/** Device kinds that change what the fleet page shows. */
const WATCHED_KINDS = ['status', 'heartbeat', 'readings'];

/**
 * Tells open fleet streams that a device published something. One bus subscription per process,
 * made when the first stream opens and kept for the life of the bus.
 */
class DeviceActivity {
  readonly #listeners = new Set<() => void>();
  #subscribed = false;

  constructor(
    private readonly bus: MessageBus | null,
    private readonly logger: Logger,
  ) {}

  listen(listener: () => void): () => void {
    this.#listeners.add(listener);
    this.#subscribe();
    return () => this.#listeners.delete(listener);
  }

  #subscribe(): void {
    if (this.#subscribed || !this.bus) return;
    this.#subscribed = true;

    const notify = () => {
      for (const listener of this.#listeners) listener();
    };
    for (const kind of WATCHED_KINDS) {
      this.bus.subscribe(`${TOPIC_PREFIX}/+/${kind}`, notify).catch((error: unknown) => {
        // The periodic refresh still updates the page, only later.
        this.logger.warn({ err: error, kind }, 'fleet stream could not subscribe to device messages');
      });
    }
  }
}

/**
 * Builds the handler of `GET /ui/fleet/events`: a server-sent event stream that sends the
 * caller's fleet (same search as the page) as a `fleet` event whenever it changes. `cameraRow`
 * is the policy row that decides whose cameras the caller may see.
 *
 * Before each read of the fleet the session is loaded again, as the guard loads it. The stream
 * ends when the user was deactivated, the token expired, or the organizations `cameraRow`
 * allows changed. The browser then reconnects through the guard, which rejects it or scopes the
 * new stream to the current memberships.
 */
export function fleetEvents(deps: AppDeps, cameraRow: PolicyRow, options: FleetStreamOptions = DEFAULT_FLEET_STREAM_OPTIONS) {
  const logger = deps.logger.child({ module: 'dashboard' });
  const activity = new DeviceActivity(deps.bus, logger);

  return (c: Context<ApiEnv>) => {
    const organizationIds = organizationsAllowedBy(cameraRow, c.get('principal'));
    const search = c.req.query('q') ?? '';
    const userId = c.get('principal').user.id;

    return streamSSE(c, async (stream) => {
      try {
        await sendChanges(stream, options, activity, async () => {
          const principal = await loadSession(c, deps);
          if (!principal || !sameOrganizations(organizationsAllowedBy(cameraRow, principal), organizationIds)) {
            logger.info({ userId }, 'fleet stream closed because the user lost access or changed organizations');
            return null;
          }

          const { rows, counts } = await listFleet(deps.database, organizationIds, { search, limit: FLEET_PAGE_SIZE });
          return JSON.stringify(toFleetSnapshotJson(rows, counts));
        });
      } catch (error) {
        // A stream cut by shutdown may fail on a closed database; only a live stream's failure matters.
        if (!stream.aborted) logger.error({ err: error, userId }, 'fleet stream failed');
      }
    });
  };
}

/** True when both lists name the same organizations. Null, which stands for all organizations, equals only null. */
function sameOrganizations(current: number[] | null, original: number[] | null): boolean {
  if (current === null || original === null) return current === original;
  return current.length === original.length && current.every((id) => original.includes(id));
}

/** Sends each new snapshot `read` returns until the stream is aborted, times out or `read` returns null. */
async function sendChanges(stream: SSEStreamingApi, options: FleetStreamOptions, activity: DeviceActivity, read: () => Promise<string | null>): Promise<void> {
  let wake: () => void = () => undefined;
  const stopListening = activity.listen(() => wake());
  stream.onAbort(() => wake());

  const deadline = Date.now() + options.maxStreamMs;
  let sent = '';
  let lastWrite = Date.now();
  try {
    while (!stream.aborted && Date.now() < deadline) {
      const snapshot = await read();
      if (snapshot === null) break;

      if (snapshot !== sent) {
        // `retry` sets the browser's reconnection delay after the stream ends to 3 s.
        await stream.writeSSE({ event: 'fleet', data: snapshot, ...(sent === '' ? { retry: 3000 } : {}) });
        sent = snapshot;
        lastWrite = Date.now();
      } else if (Date.now() - lastWrite >= options.keepAliveMs) {
        await stream.write(': keep-alive\n\n');
        lastWrite = Date.now();
      }

      const woken = await new Promise<boolean>((resolveWait) => {
        const timer = setTimeout(() => resolveWait(false), Math.min(options.refreshMs, Math.max(0, deadline - Date.now())));
        wake = () => {
          clearTimeout(timer);
          resolveWait(true);
        };
      });
      wake = () => undefined;
      if (woken && !stream.aborted) await stream.sleep(options.settleMs);
    }
  } finally {
    stopListening();
  }
}
