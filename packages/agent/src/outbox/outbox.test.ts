import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { outboxSettingsSchema } from '../config/schema.ts';
import { type AgentDatabase, openAgentDatabase } from './db.ts';
import { Outbox } from './outbox.ts';
import { StateStore } from './state.ts';

const logger = pino({ level: 'silent' });
const MIB = 1024 * 1024;
let dir: string;
let db: AgentDatabase;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'mv-outbox-'));
  db = openAgentDatabase(dir);
});

afterEach(async () => {
  if (db.open) db.close();
  await rm(dir, { recursive: true, force: true });
});

function outbox(settings: object = {}) {
  const state = new StateStore(db);
  return { state, outbox: new Outbox(db, state, outboxSettingsSchema.parse(settings), logger) };
}

const message = (id: number, imageBytes = 0) => ({
  messageId: `reading-${String(id).padStart(4, '0')}`,
  kind: 'readings',
  topic: 'metervision/v1/devices/cam-1/readings',
  payload: JSON.stringify({ n: id, ...(imageBytes > 0 ? { image: { contentType: 'image/jpeg', data: 'A'.repeat(imageBytes) } } : {}) }),
  hasImage: imageBytes > 0,
});

describe('outbox', () => {
  it('keeps messages until acknowledged', () => {
    const { outbox: box } = outbox();
    box.enqueue(message(1));
    box.enqueue(message(2));
    const [first] = box.pending(10);
    box.ack(first!.id);
    expect(box.pending(10).map((row) => row.messageId)).toEqual(['reading-0002']);
  });

  it('stores a message id once', () => {
    const { outbox: box } = outbox();
    expect(box.enqueue(message(1))).toBe(true);
    expect(box.enqueue(message(1))).toBe(false);
    expect(box.stats().pending).toBe(1);
  });

  it('survives a reopen', () => {
    outbox().outbox.enqueue(message(1));
    db.close();
    db = openAgentDatabase(dir);
    expect(outbox().outbox.pending(10)).toHaveLength(1);
  });

  it('drops images before readings', () => {
    const { outbox: box } = outbox({ maxBytes: MIB });
    for (let id = 1; id <= 5; id += 1) box.enqueue(message(id, 300_000));
    const stats = box.stats();
    expect(stats.pending).toBe(5);
    expect(stats.bytes).toBeLessThanOrEqual(MIB);
    expect(stats.imagesDropped).toBeGreaterThanOrEqual(2);
    expect(stats.dropped).toBe(0);
    const newest = JSON.parse(box.pending(10).at(-1)!.payload);
    expect(newest.image).toBeDefined();
  });

  it('drops the oldest over the count bound', () => {
    const { outbox: box } = outbox({ maxMessages: 100 });
    for (let id = 1; id <= 130; id += 1) box.enqueue(message(id));
    const stats = box.stats();
    expect(stats.pending).toBe(100);
    expect(stats.dropped).toBe(30);
    expect(box.pending(1)[0]!.messageId).toBe('reading-0031');
  });

  it('drops messages older than the age bound', () => {
    const { outbox: box } = outbox({ maxAgeDays: 1 });
    const now = Date.now();
    box.enqueue(message(1), now - 2 * 86_400_000);
    box.enqueue(message(2), now);
    expect(box.pending(10).map((row) => row.messageId)).toEqual(['reading-0002']);
    expect(box.stats().dropped).toBe(1);
  });

  it('commits with the state atomically', () => {
    const { outbox: box, state } = outbox();
    expect(() =>
      state.transaction(() => {
        box.enqueue(message(1));
        state.previousValue = { value: 1, at: new Date().toISOString() };
        throw new Error('power cut');
      }),
    ).toThrow('power cut');
    expect(box.stats().pending).toBe(0);
    expect(state.previousValue).toBeNull();
  });

  it('stays consistent after a killed writer', async () => {
    db.close();
    const writer = fileURLToPath(new URL('../testing/outbox-writer.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', writer, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    // Kill it without warning once it has committed a few hundred readings.
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        if (Number(chunk.toString().trim().split('\n').at(-1)) >= 300) resolve();
      });
    });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));

    db = openAgentDatabase(dir);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const { outbox: box, state } = outbox();
    const rows = box.pending(100_000);
    expect(rows.length).toBeGreaterThanOrEqual(300);
    for (const row of rows) expect(() => JSON.parse(row.payload)).not.toThrow();
    // Each reading and the previous value it set were committed together.
    expect(state.previousValue?.value).toBe(JSON.parse(rows.at(-1)!.payload).n);
  });
});
