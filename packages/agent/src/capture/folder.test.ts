import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { captureSettingsSchema } from '@metervision/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { folderSourceSchema } from '../config/schema.ts';
import { CaptureError } from '../errors.ts';
import { smallJpeg } from '../testing/images.ts';
import { createFolderSource } from './folder.ts';
import { isIdle } from './retry.ts';

const settings = captureSettingsSchema.parse({});
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'mv-folder-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function put(name: string, ageSeconds: number, bytes?: Buffer): Promise<void> {
  const file = path.join(dir, name);
  await writeFile(file, bytes ?? (await smallJpeg()));
  const at = new Date(Date.now() - ageSeconds * 1_000);
  await utimes(file, at, at);
}

function memorySeen() {
  const keys = new Set<string>();
  return { has: (key: string) => keys.has(key), add: (key: string) => void keys.add(key) };
}

const folder = (mode: 'newest' | 'each', seen = memorySeen()) =>
  createFolderSource(folderSourceSchema.parse({ type: 'folder', path: dir, mode }), { seen });

describe('folder source', () => {
  it('takes the newest image', async () => {
    await put('a.jpg', 30);
    await put('b.jpg', 20);
    await put('notes.txt', 5, Buffer.from('x'));
    const captured = await folder('newest').capture(settings);
    expect(captured.origin).toBe(path.join(dir, 'b.jpg'));
  });

  it('skips a file still being written', async () => {
    await put('a.jpg', 30);
    await put('b.jpg', 0);
    expect((await folder('newest').capture(settings)).origin).toBe(path.join(dir, 'a.jpg'));
  });

  it('takes each file once in order', async () => {
    await put('b.jpg', 20);
    await put('a.jpg', 30);
    const source = folder('each');
    const first = await source.capture(settings);
    first.commit?.();
    const second = await source.capture(settings);
    second.commit?.();
    expect([first.origin, second.origin]).toEqual([path.join(dir, 'a.jpg'), path.join(dir, 'b.jpg')]);

    const error = await source.capture(settings).catch((caught: unknown) => caught);
    expect(isIdle(error)).toBe(true);
  });

  it('rereads an uncommitted file', async () => {
    await put('a.jpg', 30);
    const source = folder('each');
    await source.capture(settings);
    expect((await source.capture(settings)).origin).toBe(path.join(dir, 'a.jpg'));
  });

  it('reports an empty folder', async () => {
    const error = (await folder('newest').capture(settings).catch((caught: unknown) => caught)) as CaptureError;
    expect(error.code).toBe('no_image_file');
    expect(error.message).toContain(dir);
    expect(isIdle(error)).toBe(false);
  });

  it('reports a missing folder', async () => {
    const missing = createFolderSource(folderSourceSchema.parse({ type: 'folder', path: path.join(dir, 'nope') }));
    const error = (await missing.capture(settings).catch((caught: unknown) => caught)) as CaptureError;
    expect(error.code).toBe('file_unreadable');
    expect(error.message).toContain('nope');
  });
});
