import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ApiEnv } from '../http/context.ts';
import { createTestApp, type TestApp } from '../testing/app.ts';
import { seed, type Seed } from '../testing/seed.ts';
import { fleetEvents } from './fleet-stream.ts';
import { PAGE_POLICIES, policyById, requireSession } from './guard.ts';
import type { FleetSnapshotJson } from './pages/fleet.ts';

const ORIGIN = 'http://localhost';

/** Stream timings short enough for a test: the fleet is read every 50 ms. */
const FAST_STREAM = { refreshMs: 50, settleMs: 10, maxStreamMs: 20_000, keepAliveMs: 25_000 };

/** Maximum wait for a stream to send an event or to close, in ms. */
const WAIT_MS = 3000;

interface FollowedStream {
  /** Snapshots received so far, oldest first. */
  snapshots: FleetSnapshotJson[];
  /** True once the server ended the stream. */
  closed: boolean;
  stop(): Promise<void>;
}

/** Reads the `fleet` events of an open event stream in the background. */
function follow(response: Response): FollowedStream {
  const reader = response.body!.getReader();
  const followed: FollowedStream = { snapshots: [], closed: false, stop: async () => undefined };

  const pump = (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;

      buffer += decoder.decode(value, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const data = /^data: (.*)$/m.exec(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        if (data) followed.snapshots.push(JSON.parse(data[1]!) as FleetSnapshotJson);
      }
    }
    followed.closed = true;
  })();

  followed.stop = async () => {
    await reader.cancel();
    await pump.catch(() => undefined);
  };
  return followed;
}

const cameraIds = (snapshot: FleetSnapshotJson | undefined) => snapshot?.cameras.map((camera) => camera.id).sort() ?? [];

describe('fleet event stream', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'metervision-fleet-stream-'));
  let api: TestApp;
  let data: Seed;
  let events: Hono<ApiEnv>;
  const open: FollowedStream[] = [];

  beforeAll(async () => {
    api = await createTestApp({ databaseUrl: join(dataDir, 'stream.db'), dataDir });
    data = await seed(api.database, api.repos, 'stream');

    // The stream handler behind the dashboard's session guard, with short timings.
    events = new Hono<ApiEnv>();
    events.get('/events', requireSession(api.deps, { redirect: false }), fleetEvents(api.deps, policyById(PAGE_POLICIES.camera), FAST_STREAM));
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((stream) => stream.stop()));
  });

  afterAll(async () => {
    await api.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const acme = () => data.organizations[0];
  const globex = () => data.organizations[1];

  /** Creates a user who is a viewer of each of `organizationIds`, and returns its id and session cookie. */
  async function viewerOf(username: string, organizationIds: number[]): Promise<{ userId: number; cookie: string }> {
    const { passwordHash } = (await api.repos.users.findByUsername(acme().members.viewer))!;
    const user = await api.repos.users.create({ username, passwordHash });
    for (const organizationId of organizationIds) await api.repos.memberships.upsert(user.id, organizationId, 'viewer');

    const response = await api.request('/login', { method: 'POST', headers: { origin: ORIGIN }, body: new URLSearchParams({ username, password: data.password }) });
    expect(response.status, `sign-in of ${username}`).toBe(303);
    return { userId: user.id, cookie: response.headers.get('set-cookie')!.split(';')[0]! };
  }

  async function openStream(cookie: string): Promise<FollowedStream> {
    const response = await events.request('/events', { headers: { cookie } });
    expect(response.status).toBe(200);
    const stream = follow(response);
    open.push(stream);
    await vi.waitFor(() => expect(stream.snapshots.length).toBeGreaterThan(0), { timeout: WAIT_MS });
    return stream;
  }

  it('keeps streaming while access holds', async () => {
    const { cookie } = await viewerOf('stream-steady', [acme().id]);
    const stream = await openStream(cookie);
    expect(cameraIds(stream.snapshots[0])).toEqual([acme().deviceId]);

    await api.repos.devices.markSeen(acme().deviceId, 'online');
    await vi.waitFor(() => expect(stream.snapshots.at(-1)?.counts.online).toBe(1), { timeout: WAIT_MS });
    expect(stream.closed).toBe(false);
  });

  it('closes for a deactivated user', async () => {
    const { userId, cookie } = await viewerOf('stream-deactivated', [acme().id]);
    const stream = await openStream(cookie);
    const sent = stream.snapshots.length;

    await api.repos.users.update(userId, { isActive: false });
    await api.repos.devices.markSeen(acme().deviceId, 'offline');

    await vi.waitFor(() => expect(stream.closed).toBe(true), { timeout: WAIT_MS });
    expect(stream.snapshots.length).toBe(sent);
    expect((await api.request('/ui/fleet/events', { headers: { cookie } })).status).toBe(401);
  });

  it('drops a removed organization', async () => {
    const { userId, cookie } = await viewerOf('stream-two-organizations', [acme().id, globex().id]);
    const stream = await openStream(cookie);
    expect(cameraIds(stream.snapshots[0])).toEqual([acme().deviceId, globex().deviceId].sort());
    const sent = stream.snapshots.length;

    await api.repos.memberships.remove(userId, globex().id);
    await api.repos.devices.markSeen(globex().deviceId, 'online');

    await vi.waitFor(() => expect(stream.closed).toBe(true), { timeout: WAIT_MS });
    for (const snapshot of stream.snapshots.slice(sent)) expect(cameraIds(snapshot)).not.toContain(globex().deviceId);

    const reopened = await openStream(cookie);
    expect(cameraIds(reopened.snapshots[0])).toEqual([acme().deviceId]);
  });
});
