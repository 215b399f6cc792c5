import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from './cli.ts';
import { readCredentials } from './credentials.ts';
import { PairingError } from './errors.ts';
import { pairDevice } from './pair.ts';
import { startCloudStub } from './testing/cloud-stub.ts';

const SECRET = 'device-secret-0123456789';
let stateDir: string;
let cloud: Awaited<ReturnType<typeof startCloudStub>>;

beforeEach(async () => {
  stateDir = await mkdtemp(path.join(os.tmpdir(), 'mv-pair-'));
  cloud = await startCloudStub({ mqttUrl: 'mqtt://127.0.0.1:1883', password: SECRET });
});

afterEach(async () => {
  await cloud.close();
  await rm(stateDir, { recursive: true, force: true });
});

describe('pairing', () => {
  it('stores the credentials with mode 0600', async () => {
    const result = await pairDevice({ cloudUrl: cloud.url, code: 'K7Q2-9XMD', deviceId: 'cam-1', stateDir });
    expect(cloud.requests[0]!.body).toEqual({ pairing_code: 'K7Q2-9XMD', device_id: 'cam-1' });
    expect((await stat(result.file)).mode & 0o777).toBe(0o600);
    expect(await readCredentials(stateDir)).toMatchObject({ deviceId: 'cam-1', mqttUsername: 'cam-1', mqttPassword: SECRET, meterSerial: 'WM-123' });
  });

  it('reports a used code with the detail', async () => {
    await pairDevice({ cloudUrl: cloud.url, code: 'K7Q2-9XMD', deviceId: 'cam-1', stateDir });
    const error = await pairDevice({ cloudUrl: cloud.url, code: 'K7Q2-9XMD', deviceId: 'cam-1', stateDir }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PairingError);
    expect((error as PairingError).status).toBe(404);
    expect((error as PairingError).message).toContain('unknown, used or expired');
  });

  it('reports an unreachable cloud', async () => {
    const error = await pairDevice({ cloudUrl: 'http://127.0.0.1:1', code: 'X', deviceId: 'cam-1', stateDir }).catch((caught: unknown) => caught);
    expect((error as PairingError).message).toContain('cannot reach http://127.0.0.1:1');
  });

  it('prints no secret from the CLI', async () => {
    const lines: string[] = [];
    const code = await main(['pair', '--code', 'K7Q2-9XMD', '--cloud', cloud.url, '--device-id', 'cam-1', '--state-dir', stateDir], (line) => lines.push(line));
    const printed = lines.join('\n');
    expect(code).toBe(0);
    expect(printed).toContain('Paired device cam-1');
    expect(printed).toContain(path.join(stateDir, 'credentials.json'));
    expect(printed).not.toContain(SECRET);
    expect(printed).not.toContain('K7Q2-9XMD');
    expect(await readFile(path.join(stateDir, 'credentials.json'), 'utf8')).toContain(SECRET);
  });
});
