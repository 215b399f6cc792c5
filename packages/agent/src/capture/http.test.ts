import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { captureSettingsSchema } from '@metervision/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpSourceSchema } from '../config/schema.ts';
import { CaptureError } from '../errors.ts';
import { smallJpeg } from '../testing/images.ts';
import { createHttpSource } from './http.ts';

const md5 = (text: string) => createHash('md5').update(text).digest('hex');
const settings = captureSettingsSchema.parse({ timeoutMs: 500 });
let jpeg: Buffer;
let server: http.Server;
let base: string;
const openResponses = new Set<http.ServerResponse>();

/** Checks a Digest response the way a camera does (RFC 7616, MD5, qop=auth). */
function digestValid(header: string | undefined, method: string): boolean {
  if (!header?.startsWith('Digest ')) return false;
  const field = (name: string) => new RegExp(`${name}="?([^",]+)"?`).exec(header)?.[1] ?? '';
  const ha1 = md5(`admin:esp32:secret`);
  const ha2 = md5(`${method}:${field('uri')}`);
  const expected = md5(`${ha1}:nonce-1:${field('nc')}:${field('cnonce')}:auth:${ha2}`);
  return field('nonce') === 'nonce-1' && field('response') === expected;
}

beforeAll(async () => {
  jpeg = await smallJpeg();
  server = http.createServer((request, response) => {
    const send = (status: number, body: Buffer | string, type = 'image/jpeg') => {
      response.writeHead(status, { 'content-type': type });
      response.end(body);
    };
    switch (request.url) {
      case '/capture':
        return send(200, jpeg);
      case '/basic':
        if (request.headers.authorization === `Basic ${Buffer.from('admin:secret').toString('base64')}`) return send(200, jpeg);
        response.writeHead(401, { 'www-authenticate': 'Basic realm="cam"' });
        return response.end();
      case '/digest':
        if (digestValid(request.headers.authorization, request.method ?? 'GET')) return send(200, jpeg);
        response.writeHead(401, { 'www-authenticate': 'Digest realm="esp32", qop="auth", nonce="nonce-1", opaque="o"' });
        return response.end();
      case '/garbage':
        return send(200, '<html><body>camera busy</body></html>', 'text/html');
      case '/error':
        return send(503, 'busy', 'text/plain');
      case '/hang':
        openResponses.add(response);
        response.writeHead(200, { 'content-type': 'image/jpeg' });
        return response.write(jpeg.subarray(0, 10));
      default:
        return send(404, 'not found', 'text/plain');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const response of openResponses) response.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const source = (path: string, auth?: object) => createHttpSource(httpSourceSchema.parse({ type: 'http', url: `${base}${path}`, auth }));

async function captureError(path: string, auth?: object): Promise<CaptureError> {
  const error = await source(path, auth).capture(settings).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(CaptureError);
  return error as CaptureError;
}

describe('http source', () => {
  it('fetches a snapshot', async () => {
    const captured = await source('/capture').capture(settings);
    expect(captured.image.equals(jpeg)).toBe(true);
    expect(captured.origin).toBe(`${base}/capture`);
  });

  it('sends basic auth', async () => {
    const captured = await source('/basic', { type: 'basic', username: 'admin', password: 'secret' }).capture(settings);
    expect(captured.image.equals(jpeg)).toBe(true);
  });

  it('answers a digest challenge', async () => {
    const captured = await source('/digest', { type: 'digest', username: 'admin', password: 'secret' }).capture(settings);
    expect(captured.image.equals(jpeg)).toBe(true);
  });

  it('reports a wrong password', async () => {
    const error = await captureError('/digest', { type: 'digest', username: 'admin', password: 'wrong' });
    expect(error.code).toBe('http_status');
    expect(error.message).toContain('HTTP 401');
  });

  it('times out a hanging camera', async () => {
    const error = await captureError('/hang');
    expect(error.code).toBe('timeout');
    expect(error.message).toContain('500 ms');
  });

  it('rejects a garbage response', async () => {
    const error = await captureError('/garbage');
    expect(error.code).toBe('not_an_image');
    expect(error.message).toContain('<html>');
    expect(error.message).toContain(`${base}/garbage`);
  });

  it('reports a server error', async () => {
    const error = await captureError('/error');
    expect(error.code).toBe('http_status');
    expect(error.details.status).toBe(503);
  });

  it('reports a refused connection', async () => {
    const closed = createHttpSource(httpSourceSchema.parse({ type: 'http', url: 'http://127.0.0.1:1/capture' }));
    const error = (await closed.capture(settings).catch((caught: unknown) => caught)) as CaptureError;
    expect(error.code).toBe('http_failed');
  });

  it('keeps credentials out of the origin', async () => {
    const withQuery = createHttpSource(httpSourceSchema.parse({ type: 'http', url: `${base}/capture?token=abc` }));
    expect(withQuery.description).not.toContain('abc');
  });
});
