/**
 * Returns the headers of a response that serves an image a camera or a user sent. The bytes are not
 * ours, so the browser must neither guess another type from them nor run a script in them.
 */
export function imageResponseHeaders(contentType: string, maxAgeSeconds: number): Record<string, string> {
  return {
    'Content-Type': contentType,
    'Cache-Control': `private, max-age=${maxAgeSeconds}`,
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "default-src 'none'",
  };
}
