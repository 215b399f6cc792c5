import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRedis } from '../testing/redis.ts';
import { freePort } from '../testing/services.ts';
import { checkRedis, createRedisBackends } from './redis.ts';

interface LogLine {
  msg: string;
  err?: string;
  url?: string;
}


describe('checkRedis', () => {
  // Accepts connections and never replies, like a host that is not Redis.
  const sockets = new Set<Socket>();
  const silent: Server = createServer((socket) => sockets.add(socket));

  beforeAll(() => new Promise<void>((resolveListen) => silent.listen(0, '127.0.0.1', resolveListen)));

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolveClose) => silent.close(() => resolveClose()));
  });

  it('names REDIS_URL when refused', async () => {
    const port = await freePort();
    await expect(checkRedis(`redis://:secret@127.0.0.1:${port}`)).rejects.toThrow(
      `cannot connect to Redis at REDIS_URL=redis://:***@127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}. Check REDIS_URL and that the server runs.`,
    );
  });

  it('gives up after the timeout', async () => {
    const port = (silent.address() as AddressInfo).port;
    await expect(checkRedis(`redis://127.0.0.1:${port}`, 300)).rejects.toThrow(/REDIS_URL=redis:\/\/127\.0\.0\.1:\d+: timed out after 300 ms/);
  });

  it('passes against a running Redis', async (context) => {
    const redis = await startTestRedis();
    if ('skipped' in redis) return context.skip(redis.skipped);

    await expect(checkRedis(redis.url)).resolves.toBeUndefined();
    await redis.stop();
  });
});

describe('createRedisBackends', () => {
  it('logs connection errors instead of crashing', async () => {
    const logs: LogLine[] = [];
    const logger = pino({ level: 'error' }, { write: (line: string) => logs.push(JSON.parse(line) as LogLine) });
    const port = await freePort();

    // An `error` event without a listener would end the test process.
    const backends = createRedisBackends(`redis://:secret@127.0.0.1:${port}`, logger);
    await expect.poll(() => logs.length, { timeout: 5_000 }).toBeGreaterThanOrEqual(2);

    expect(logs.map((line) => line.msg).sort()).toEqual([
      'Redis connection of the broker message bus failed; reconnecting',
      'Redis connection of the broker persistence failed; reconnecting',
    ]);
    expect(logs[0]!.url).toBe(`redis://:***@127.0.0.1:${port}`);
    expect(logs[0]!.err).toContain('ECONNREFUSED');

    await backends.disconnect();
  });
});
