import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { parseDigestParams } from './auth.ts';
import type { MeterLayoutInput } from '@metervision/protocol';
import { VirtualCamera, type CameraStatus, type VirtualCameraOptions } from './virtual-camera.ts';

const cameras: VirtualCamera[] = [];

async function startCamera(options: VirtualCameraOptions = {}): Promise<VirtualCamera> {
  const camera = await VirtualCamera.start({ flowM3PerHour: 0, startValue: 123.456, ...options });
  cameras.push(camera);
  return camera;
}

afterEach(async () => {
  await Promise.all(cameras.splice(0).map((camera) => camera.close()));
});

async function meanGrey(image: Buffer): Promise<number> {
  const stats = await sharp(image).greyscale().stats();
  return stats.channels[0]?.mean ?? 0;
}

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}

describe('VirtualCamera', () => {
  it('serves a JPEG with its truth', async () => {
    const camera = await startCamera();
    const response = await fetch(`${camera.url}/capture`);
    const image = Buffer.from(await response.arrayBuffer());
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/jpeg');
    expect(response.headers.get('x-meter-text')).toBe('00123.4560');
    expect(image.subarray(0, 2).toString('hex')).toBe('ffd8');
    expect((await sharp(image).metadata()).width).toBe(640);
  });

  it('reports the true value on status', async () => {
    let now = 0;
    const camera = await startCamera({ flowM3PerHour: 0.5, clock: () => now });
    now = 3_600_000;
    const status = (await (await fetch(`${camera.url}/status`)).json()) as CameraStatus;
    expect(status.value).toBe(123.956);
    expect(status.text).toBe('00123.9560');
    expect(status.flowM3PerHour).toBe(0.5);
  });

  it('serves the layout of its meter', async () => {
    const camera = await startCamera({ knobs: { wheels: 8, decimalWheels: 3, pointers: 0 } });
    const layout = (await (await fetch(`${camera.url}/layout`)).json()) as MeterLayoutInput;
    expect(layout.digits).toHaveLength(5);
    expect(layout.decimalDigits).toHaveLength(3);
  });

  it('darkens frames through a knob', async () => {
    const camera = await startCamera();
    const normal = await meanGrey((await camera.snapshot()).image);
    camera.setKnobs({ brightness: 0.3 });
    const dark = await meanGrey((await camera.snapshot()).image);
    expect(dark).toBeLessThan(normal * 0.5);
  });

  it('keeps knobs when new ones are invalid', async () => {
    const camera = await startCamera({ knobs: { blur: 1 } });
    expect(() => camera.setKnobs({ blur: -1 })).toThrow(/blur = -1/);
    expect(camera.status().knobs.blur).toBe(1);
  });

  it('changes value and faults over HTTP', async () => {
    const camera = await startCamera();
    const control = await fetch(`${camera.url}/control`, {
      method: 'POST',
      body: JSON.stringify({ value: 42, fault: { kind: 'http-500', count: 2 } }),
    });
    expect(((await control.json()) as CameraStatus).text).toBe('00042.0000');
    expect((await fetch(`${camera.url}/capture`)).status).toBe(500);
    expect((await fetch(`${camera.url}/capture`)).status).toBe(500);
    expect((await fetch(`${camera.url}/capture`)).status).toBe(200);
  });

  it('names invalid control fields', async () => {
    const camera = await startCamera();
    const response = await fetch(`${camera.url}/control`, { method: 'POST', body: JSON.stringify({ fault: { kind: 'delay' } }) });
    expect(response.status).toBe(422);
    expect(((await response.json()) as { issues: { path: string }[] }).issues[0]?.path).toBe('fault.ms');
  });

  it('sends garbage bytes on request', async () => {
    const camera = await startCamera();
    camera.injectFault({ kind: 'garbage' });
    const body = Buffer.from(await (await fetch(`${camera.url}/capture`)).arrayBuffer());
    await expect(sharp(body).metadata()).rejects.toThrow();
  });

  it('truncates the JPEG on request', async () => {
    const camera = await startCamera();
    const full = Buffer.from(await (await fetch(`${camera.url}/capture`)).arrayBuffer());
    camera.injectFault({ kind: 'truncated' });
    const cut = Buffer.from(await (await fetch(`${camera.url}/capture`)).arrayBuffer());
    expect(cut.length).toBeLessThan(full.length * 0.6);
    expect(cut.subarray(-2).toString('hex')).not.toBe('ffd9');
  });

  it('drops the connection mid-body', async () => {
    const camera = await startCamera();
    camera.injectFault({ kind: 'disconnect' });
    const response = await fetch(`${camera.url}/capture`);
    await expect(response.arrayBuffer()).rejects.toThrow();
  });

  it('delays a capture', async () => {
    const camera = await startCamera();
    camera.injectFault({ kind: 'delay', ms: 300 });
    const started = Date.now();
    expect((await fetch(`${camera.url}/capture`)).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('holds a capture until the client gives up', async () => {
    const camera = await startCamera();
    camera.injectFault({ kind: 'timeout' });
    await expect(fetch(`${camera.url}/capture`, { signal: AbortSignal.timeout(200) })).rejects.toThrow();
    expect((await fetch(`${camera.url}/capture`)).status).toBe(200);
  });

  it('closes with a held connection', async () => {
    const camera = await startCamera();
    camera.injectFault({ kind: 'timeout' });
    const pending = fetch(`${camera.url}/capture`).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await camera.close();
    cameras.splice(cameras.indexOf(camera), 1);
    expect(await pending).toBeInstanceOf(Error);
  });

  it('answers unknown paths with 404', async () => {
    const camera = await startCamera();
    expect((await fetch(`${camera.url}/stream`)).status).toBe(404);
    expect((await fetch(`${camera.url}/capture`, { method: 'POST' })).status).toBe(405);
  });
});

describe('VirtualCamera auth', () => {
  it('requires basic credentials', async () => {
    const camera = await startCamera({ auth: { scheme: 'basic', username: 'admin', password: 's3cret' } });
    const anonymous = await fetch(`${camera.url}/capture`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic realm=/);

    const wrong = await fetch(`${camera.url}/capture`, { headers: { Authorization: `Basic ${btoa('admin:nope')}` } });
    expect(wrong.status).toBe(401);
    const right = await fetch(`${camera.url}/capture`, { headers: { Authorization: `Basic ${btoa('admin:s3cret')}` } });
    expect(right.status).toBe(200);
  });

  it('accepts a digest response', async () => {
    const camera = await startCamera({ auth: { scheme: 'digest', username: 'admin', password: 's3cret' } });
    const challenge = await fetch(`${camera.url}/status`);
    expect(challenge.status).toBe(401);
    const params = parseDigestParams((challenge.headers.get('www-authenticate') ?? '').replace(/^Digest /, ''));

    const digestHeader = (password: string, nc: string) => {
      const ha1 = md5(`admin:${params.realm}:${password}`);
      const ha2 = md5('GET:/status');
      const response = md5(`${ha1}:${params.nonce}:${nc}:abc123:auth:${ha2}`);
      return `Digest username="admin", realm="${params.realm}", nonce="${params.nonce}", uri="/status", qop=auth, nc=${nc}, cnonce="abc123", response="${response}", opaque="${params.opaque}"`;
    };

    expect((await fetch(`${camera.url}/status`, { headers: { Authorization: digestHeader('s3cret', '00000001') } })).status).toBe(200);
    expect((await fetch(`${camera.url}/status`, { headers: { Authorization: digestHeader('s3cret', '00000001') } })).status).toBe(401);
    expect((await fetch(`${camera.url}/status`, { headers: { Authorization: digestHeader('s3cret', '00000002') } })).status).toBe(200);
    expect((await fetch(`${camera.url}/status`, { headers: { Authorization: digestHeader('wrong', '00000003') } })).status).toBe(401);
  });
});
