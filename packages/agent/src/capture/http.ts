import type { CaptureSettings } from '@metervision/protocol';
import type { HttpSourceConfig } from '../config/schema.ts';
import { CaptureError, errorMessage } from '../errors.ts';
import { buildDigestAuthorization, parseDigestChallenge } from './digest.ts';
import { type CapturedImage, type CaptureSource, describeBytes, looksLikeImage } from './types.ts';

/**
 * Snapshots from an HTTP URL: an ESP32-CAM `/capture` handler or an IP camera's snapshot path,
 * with optional basic or digest authentication. Each attempt is bounded by the capture
 * settings' `timeoutMs`, for the whole exchange including the body.
 */
export function createHttpSource(config: HttpSourceConfig): CaptureSource {
  const url = new URL(config.url);
  const origin = redactUrl(url);

  return {
    description: `http ${origin}${config.auth ? ` (${config.auth.type} auth)` : ''}`,

    async capture(settings: CaptureSettings, signal?: AbortSignal): Promise<CapturedImage> {
      const timeout = AbortSignal.timeout(settings.timeoutMs);
      const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;

      try {
        const response = await fetchWithAuth(url, config, combined);
        if (!response.ok) {
          await response.body?.cancel();
          throw new CaptureError('http_status', origin, `camera responded with HTTP ${response.status} ${response.statusText}`, {
            status: response.status,
          });
        }

        const image = await readBody(response, config.maxBytes, origin);
        if (image.length === 0) throw new CaptureError('empty', origin, 'camera responded with an empty body');
        if (!looksLikeImage(image)) {
          throw new CaptureError('not_an_image', origin, `response is not a JPEG or PNG image: ${describeBytes(image)}`, {
            contentType: response.headers.get('content-type'),
          });
        }
        return { image, origin, capturedAt: new Date() };
      } catch (error) {
        if (error instanceof CaptureError) throw error;
        if (timeout.aborted) {
          throw new CaptureError('timeout', origin, `no complete image within ${settings.timeoutMs} ms`, {
            timeoutMs: settings.timeoutMs,
          }, { cause: error });
        }
        throw new CaptureError('http_failed', origin, `request failed: ${describeFetchError(error)}`, {}, { cause: error });
      }
    },
  };
}

async function fetchWithAuth(url: URL, config: HttpSourceConfig, signal: AbortSignal): Promise<Response> {
  const auth = config.auth;
  const plainUrl = new URL(url);
  plainUrl.username = '';
  plainUrl.password = '';
  const init = { signal, redirect: 'follow' as const, headers: { accept: 'image/jpeg, image/png' } };

  if (!auth) return fetch(plainUrl, init);

  const password = auth.password ?? '';
  if (auth.type === 'basic') {
    const token = Buffer.from(`${auth.username}:${password}`).toString('base64');
    return fetch(plainUrl, { ...init, headers: { ...init.headers, authorization: `Basic ${token}` } });
  }

  // Digest needs the server's nonce first: one unauthenticated request, then the authenticated one.
  const first = await fetch(plainUrl, init);
  if (first.status !== 401) return first;

  const challenge = parseDigestChallenge(first.headers.get('www-authenticate'));
  await first.body?.cancel();
  if (!challenge) return first;

  const authorization = buildDigestAuthorization(challenge, {
    method: 'GET',
    uri: `${plainUrl.pathname}${plainUrl.search}`,
    username: auth.username,
    password,
  });
  return fetch(plainUrl, { ...init, headers: { ...init.headers, authorization } });
}

async function readBody(response: Response, maxBytes: number, origin: string): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw new CaptureError('too_large', origin, `response of ${declared} bytes is larger than ${maxBytes}`, { bytes: declared });
  }
  if (!response.body) return Buffer.alloc(0);

  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of response.body) {
    total += chunk.length;
    if (total > maxBytes) {
      await response.body.cancel().catch(() => undefined);
      throw new CaptureError('too_large', origin, `response is larger than ${maxBytes} bytes`, { maxBytes });
    }
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks, total);
}

function describeFetchError(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${errorMessage(error)}${cause}`;
}

/** Returns the URL without user info and query, which may carry credentials. */
export function redactUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}${url.search ? '?…' : ''}`;
}
