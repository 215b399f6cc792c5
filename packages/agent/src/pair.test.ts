import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
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

  it('reports an unknown code', async () => {
    await pairDevice({ cloudUrl: cloud.url, code: 'K7Q2-9XMD', deviceId: 'cam-1', stateDir });
    const error = await pairDevice({ cloudUrl: cloud.url, code: 'K7Q2-9XMD', deviceId: 'cam-1', stateDir }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PairingError);
    expect((error as PairingError).status).toBe(404);
    expect((error as PairingError).message).toBe(`pairing code not found (HTTP 404 from ${cloud.url}): check the code shown when the installation started`);
  });

  it('prints an unknown code in order', async () => {
    const errors: string[] = [];
    const code = await main(['pair', '--code', 'AAAA-BBBB', '--cloud', cloud.url, '--device-id', 'cam-1', '--state-dir', stateDir], () => undefined, (line) => errors.push(line));
    expect(code).toBe(1);
    expect(errors).toEqual([`Pairing failed: pairing code not found (HTTP 404 from ${cloud.url}): check the code shown when the installation started`]);
  });

  it('names a server without the route', async () => {
    const server = http.createServer((_request, response) => response.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const error = await pairDevice({ cloudUrl: url, code: 'K7Q2-9XMD', deviceId: 'cam-1', stateDir }).catch((caught: unknown) => caught);
      expect((error as PairingError).message).toContain(`no pairing endpoint at ${url}/api/installations/pair`);
      expect((error as PairingError).message).toContain('check that the cloud URL points at the MeterVision cloud');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('rejects --cloud without a scheme', async () => {
    const errors: string[] = [];
    const code = await main(['pair', '--code', 'K7Q2-9XMD', '--cloud', '127.0.0.1:18080', '--device-id', 'cam-1', '--state-dir', stateDir], () => undefined, (line) => errors.push(line));
    expect(code).toBe(1);
    expect(errors).toEqual(['Pairing failed: invalid --cloud "127.0.0.1:18080": include http:// or https://, for example http://127.0.0.1:18080']);
  });

  it('suggests a scheme for a host name', async () => {
    const error = await pairDevice({ cloudUrl: 'localhost:8080', code: 'X', deviceId: 'cam-1', stateDir }).catch((caught: unknown) => caught);
    expect((error as PairingError).message).toBe('invalid cloud URL "localhost:8080": include http:// or https://, for example http://localhost:8080');
    expect(cloud.requests).toEqual([]);
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
