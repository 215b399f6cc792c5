import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type { Hono } from 'hono';
import type { ApiEnv } from './context.ts';

/** A file served under a fixed URL name: its path on disk and its content type. */
export interface AssetSource {
  path: string;
  contentType: string;
}

interface LoadedAsset {
  body: Uint8Array<ArrayBuffer>;
  /** The body compressed with gzip, or null when compression would not pay. */
  gzip: Uint8Array<ArrayBuffer> | null;
  contentType: string;
  /** First 12 hex digits of the SHA-256 of the body. URLs carry it, so a new file is fetched after an upgrade. */
  version: string;
}

/** Bodies below this size are sent as they are: gzip would save less than its header costs. */
const MIN_GZIP_BYTES = 1024;

/**
 * A fixed table of files served from memory under `prefix`, for example `/ui/static/{name}`.
 * Only listed names are reachable, so no file path is ever built from a request. Files are read
 * once, at the first request or URL built, and kept with a gzip copy for clients that accept it.
 *
 * @example
 * const assets = new StaticAssets('/ui/static', { 'app.js': { path: '/srv/app.js', contentType: 'text/javascript' } });
 * assets.register(app);
 * assets.url('app.js'); // '/ui/static/app.js?v=3f2a…'
 */
export class StaticAssets<Name extends string> {
  #loaded: Map<string, LoadedAsset> | null = null;

  constructor(
    readonly prefix: string,
    private readonly sources: Record<Name, AssetSource>,
  ) {}

  /** URL of asset `name` with its content version. */
  url(name: Name): string {
    const asset = this.load().get(name);
    if (!asset) throw new Error(`Unknown static asset ${JSON.stringify(name)} under ${this.prefix}`);
    return `${this.prefix}/${name}?v=${asset.version}`;
  }

  /** Adds `GET {prefix}/{name}` to `app`. */
  register(app: Hono<ApiEnv>): void {
    app.get(`${this.prefix}/:name`, (c) => {
      const asset = this.load().get(c.req.param('name'));
      if (!asset) return c.text('Not Found', 404);

      // A versioned URL never changes content; an unversioned one may after an upgrade.
      const cache = c.req.query('v') === asset.version ? 'public, max-age=31536000, immutable' : 'public, max-age=300';
      const headers: Record<string, string> = { 'Content-Type': asset.contentType, 'Cache-Control': cache, 'X-Content-Type-Options': 'nosniff' };
      if (!asset.gzip) return c.body(asset.body, 200, headers);

      headers.Vary = 'Accept-Encoding';
      if (!acceptsGzip(c.req.header('accept-encoding'))) return c.body(asset.body, 200, headers);
      return c.body(asset.gzip, 200, { ...headers, 'Content-Encoding': 'gzip' });
    });
  }

  private load(): Map<string, LoadedAsset> {
    if (this.#loaded) return this.#loaded;

    const loaded = new Map<string, LoadedAsset>();
    for (const [name, source] of Object.entries<AssetSource>(this.sources)) {
      const body = new Uint8Array(readFileSync(source.path));
      const gzip = body.length >= MIN_GZIP_BYTES ? new Uint8Array(gzipSync(body)) : null;
      loaded.set(name, { body, gzip, contentType: source.contentType, version: createHash('sha256').update(body).digest('hex').slice(0, 12) });
    }
    this.#loaded = loaded;
    return loaded;
  }
}

/** True when an `Accept-Encoding` header lists gzip without `q=0` (RFC 9110, section 12.5.3). */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;

  for (const part of header.split(',')) {
    const [coding, ...parameters] = part.trim().toLowerCase().split(';');
    if (coding !== 'gzip' && coding !== '*') continue;

    const quality = parameters.map((parameter) => parameter.trim()).find((parameter) => parameter.startsWith('q='));
    return quality === undefined || Number(quality.slice(2)) > 0;
  }
  return false;
}
