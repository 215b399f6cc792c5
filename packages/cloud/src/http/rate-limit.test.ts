import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { clientAddress, TokenBucketLimiter } from './rate-limit.ts';

/** Creates a limiter on a clock the test moves by hand. */
function limiterAt(limit: { burst: number; perMinute: number }, maxKeys?: number) {
  let now = 1_000_000;
  const limiter = new TokenBucketLimiter(limit, { maxKeys, now: () => now });
  return { limiter, advance: (ms: number) => (now += ms) };
}

describe('TokenBucketLimiter', () => {
  it('allows the burst, then rejects', () => {
    const { limiter } = limiterAt({ burst: 3, perMinute: 6 });
    for (let attempt = 0; attempt < 3; attempt++) expect(limiter.take('a')).toEqual({ allowed: true });

    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 10, denialsInRow: 1 });
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 10, denialsInRow: 2 });
    expect(limiter.take('b')).toEqual({ allowed: true });
  });

  it('refills at the set rate', () => {
    const { limiter, advance } = limiterAt({ burst: 2, perMinute: 6 });
    limiter.take('a');
    limiter.take('a');

    advance(4_000);
    expect(limiter.take('a')).toMatchObject({ allowed: false, retryAfterSeconds: 6 });
    advance(6_000);
    expect(limiter.take('a')).toEqual({ allowed: true });
    expect(limiter.take('a')).toMatchObject({ allowed: false, denialsInRow: 1 });
  });

  it('never refills above the burst', () => {
    const { limiter, advance } = limiterAt({ burst: 2, perMinute: 60 });
    limiter.take('a');
    advance(3_600_000);
    expect(limiter.take('a')).toEqual({ allowed: true });
    expect(limiter.take('a')).toEqual({ allowed: true });
    expect(limiter.take('a').allowed).toBe(false);
  });

  it('charges below zero', () => {
    const { limiter } = limiterAt({ burst: 1, perMinute: 1 });
    for (let failure = 0; failure < 4; failure++) limiter.charge('a');
    expect(limiter.check('a')).toMatchObject({ allowed: false, retryAfterSeconds: 240 });
  });

  it('checks without taking', () => {
    const { limiter } = limiterAt({ burst: 1, perMinute: 1 });
    expect(limiter.check('a')).toEqual({ allowed: true });
    expect(limiter.check('a')).toEqual({ allowed: true });
    expect(limiter.size).toBe(0);
  });

  it('resets a key', () => {
    const { limiter } = limiterAt({ burst: 1, perMinute: 1 });
    limiter.take('a');
    limiter.reset('a');
    expect(limiter.take('a')).toEqual({ allowed: true });
  });

  it('bounds the keys in memory', () => {
    const { limiter, advance } = limiterAt({ burst: 5, perMinute: 1 }, 100);
    for (let key = 0; key < 100; key++) limiter.charge(`old-${key}`);
    advance(10 * 60_000);
    limiter.charge('new');
    expect(limiter.size).toBe(1);

    for (let key = 0; key < 200; key++) limiter.charge(`flood-${key}`);
    expect(limiter.size).toBeLessThanOrEqual(100);
    for (let failure = 0; failure < 4; failure++) limiter.charge('flood-199');
    expect(limiter.check('flood-199').allowed).toBe(false);
  });

  it('rejects an invalid limit', () => {
    expect(() => new TokenBucketLimiter({ burst: 0, perMinute: 1 })).toThrow(/burst must be at least 1/);
    expect(() => new TokenBucketLimiter({ burst: 1, perMinute: 0 })).toThrow(RangeError);
  });
});

describe('clientAddress', () => {
  const app = new Hono();
  app.get('/:hops', (c) => c.text(clientAddress(c, Number(c.req.param('hops')))));
  const addressOf = async (hops: number, forwarded?: string) =>
    (await app.request(`/${hops}`, { headers: forwarded ? { 'x-forwarded-for': forwarded } : {} })).text();

  it('takes the trusted forwarded entry', async () => {
    expect(await addressOf(1, '198.51.100.9, 203.0.113.7')).toBe('203.0.113.7');
    expect(await addressOf(2, 'spoofed, 198.51.100.9, 10.0.0.2')).toBe('198.51.100.9');
  });

  it('ignores the header without proxies', async () => {
    expect(await addressOf(0, '203.0.113.7')).toBe('unknown');
  });

  it('returns unknown for a short header', async () => {
    expect(await addressOf(2, '203.0.113.7')).toBe('unknown');
    expect(await addressOf(1)).toBe('unknown');
  });
});
