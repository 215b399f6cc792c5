import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POLICIES } from '../access/policies.ts';
import { createTestApp, type TestApp } from '../testing/app.ts';
import { acceptsGzip } from './static-assets.ts';

/** Every `src` and `href` attribute value of an HTML page. */
function referencedUrls(page: string): string[] {
  return [...page.matchAll(/\b(?:src|href)="([^"]*)"/g)].map((match) => match[1]!.replaceAll('&amp;', '&'));
}

describe('API reference', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'metervision-docs-'));
  let api: TestApp;
  let page: string;
  let pageResponse: Response;

  beforeAll(async () => {
    api = await createTestApp({ databaseUrl: join(dataDir, 'docs.db'), dataDir });
    pageResponse = await api.request('/docs');
    page = await pageResponse.text();
  });

  afterAll(async () => {
    await api.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves the page under its CSP', () => {
    expect(pageResponse.status).toBe(200);
    expect(pageResponse.headers.get('content-type')).toMatch(/^text\/html/);
    const policy = pageResponse.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("default-src 'self'");
    expect(policy).toContain("script-src 'self';");
    expect(policy).toContain("style-src 'self';");
    expect(page).toContain('data-spec-url="/openapi.json"');
  });

  it('references only its own origin', () => {
    const urls = referencedUrls(page);
    expect(urls.length).toBeGreaterThanOrEqual(5);
    for (const url of urls) {
      expect(url, url).toMatch(/^(\/(?!\/)|data:)/);
    }
    expect(page).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(page).not.toMatch(/\sstyle=|<style/);
  });

  it('serves every referenced asset', async () => {
    const assets = referencedUrls(page).filter((url) => url.startsWith('/docs/assets/'));
    expect(assets.map((url) => url.replace(/\?v=.*/, '')).sort()).toEqual([
      '/docs/assets/api-docs.css',
      '/docs/assets/api-docs.js',
      '/docs/assets/swagger-ui-bundle.js',
      '/docs/assets/swagger-ui.css',
    ]);

    for (const url of assets) {
      const response = await api.request(url);
      expect(response.status, url).toBe(200);
      expect(response.headers.get('content-type'), url).toMatch(url.includes('.js') ? /^text\/javascript/ : /^text\/css/);
      expect(response.headers.get('cache-control'), url).toContain('immutable');
      expect((await response.arrayBuffer()).byteLength, url).toBeGreaterThan(100);
    }
  });

  it('compresses the bundle for gzip clients', async () => {
    const url = referencedUrls(page).find((entry) => entry.includes('swagger-ui-bundle.js'))!;
    const plain = Buffer.from(await (await api.request(url)).arrayBuffer());
    const response = await api.request(url, { headers: { 'accept-encoding': 'gzip, deflate, br' } });

    expect(response.headers.get('content-encoding')).toBe('gzip');
    expect(response.headers.get('vary')).toBe('Accept-Encoding');
    const compressed = Buffer.from(await response.arrayBuffer());
    expect(compressed.length).toBeLessThan(plain.length / 2);
    expect(gunzipSync(compressed).equals(plain)).toBe(true);
  });

  it('rejects unknown asset names', async () => {
    for (const name of ['index.html', '..%2Fpackage.json', 'swagger-ui-bundle.js.map']) {
      expect((await api.request(`/docs/assets/${name}`)).status, name).toBe(404);
    }
  });

  it('documents every policy row', async () => {
    const response = await api.request('/openapi.json');
    const document = (await response.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };

    expect(document.openapi).toBe('3.1.0');
    const documented = Object.entries(document.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method} ${path}`));
    expect(documented.sort()).toEqual(POLICIES.map((row) => `${row.method} ${row.path}`).sort());
  });
});

describe('acceptsGzip', () => {
  it('reads the Accept-Encoding list', () => {
    expect(acceptsGzip('gzip')).toBe(true);
    expect(acceptsGzip('br, GZIP;q=0.5')).toBe(true);
    expect(acceptsGzip('*')).toBe(true);
    expect(acceptsGzip('deflate, br')).toBe(false);
    expect(acceptsGzip(undefined)).toBe(false);
  });

  it('honours a zero quality', () => {
    expect(acceptsGzip('gzip;q=0')).toBe(false);
    expect(acceptsGzip('gzip; q=0.0, br')).toBe(false);
  });
});
