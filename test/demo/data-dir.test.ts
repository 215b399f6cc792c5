import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_LOCK_FILE, DEMO_MARKER_FILE, DemoDataDirError, prepareDemoDataDir, type DemoDataDirLock } from '../../scripts/demo/data-dir.ts';

/** Returns the pid of a process that has already exited, as a crashed demo leaves in its lock file. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  if (child.pid === undefined) throw new Error('spawning node for a dead pid failed');
  return child.pid;
}

async function expectRejection(promise: Promise<unknown>): Promise<DemoDataDirError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(DemoDataDirError);
  return error as DemoDataDirError;
}

describe('prepareDemoDataDir', () => {
  let root: string;
  const locks: DemoDataDirLock[] = [];

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'metervision-demo-dir-'));
  });

  afterEach(async () => {
    for (const lock of locks.splice(0)) await lock.release();
    rmSync(root, { recursive: true, force: true });
  });

  async function prepare(dir: string): Promise<DemoDataDirLock> {
    const lock = await prepareDemoDataDir(dir);
    locks.push(lock);
    return lock;
  }

  it('keeps user files in place', async () => {
    const dir = join(root, 'precious');
    mkdirSync(join(dir, 'sub'), { recursive: true });
    writeFileSync(join(dir, 'important.txt'), 'keep\n');

    const error = await expectRejection(prepare(dir));

    expect(error.message).toContain(dir);
    expect(error.message).toMatch(/empty or new folder/);
    expect(error.message).not.toContain('\n');
    expect(readFileSync(join(dir, 'important.txt'), 'utf8')).toBe('keep\n');
    expect(readdirSync(dir).sort()).toEqual(['important.txt', 'sub']);
  });

  it('keeps a folder with only subfolders', async () => {
    const dir = join(root, '.metervision');
    mkdirSync(join(dir, 'images'), { recursive: true });

    await expectRejection(prepare(dir));

    expect(readdirSync(dir)).toEqual(['images']);
  });

  it('rejects a path that is a file', async () => {
    const file = join(root, 'notes.txt');
    writeFileSync(file, 'keep\n');

    const error = await expectRejection(prepare(file));

    expect(error.message).toContain(file);
    expect(readFileSync(file, 'utf8')).toBe('keep\n');
  });

  it('creates a missing folder with marker', async () => {
    const dir = join(root, 'new', 'demo');

    await prepare(dir);

    expect(existsSync(join(dir, DEMO_MARKER_FILE))).toBe(true);
    expect(readFileSync(join(dir, DEMO_LOCK_FILE), 'utf8').trim()).toBe(String(process.pid));
  });

  it('adopts an empty folder', async () => {
    const dir = join(root, 'empty');
    mkdirSync(dir);

    await prepare(dir);

    expect(readdirSync(dir).sort()).toEqual([DEMO_MARKER_FILE, DEMO_LOCK_FILE].sort());
  });

  it('empties a folder the demo made', async () => {
    const dir = join(root, 'demo');
    const first = await prepare(dir);
    mkdirSync(join(dir, 'cloud'));
    writeFileSync(join(dir, 'cloud', 'metervision.db'), 'old run');
    await first.release();

    await prepare(dir);

    expect(readdirSync(dir).sort()).toEqual([DEMO_MARKER_FILE, DEMO_LOCK_FILE].sort());
  });

  it('rejects a folder a live demo holds', async () => {
    const dir = join(root, 'demo');
    await prepare(dir);
    mkdirSync(join(dir, 'cloud'));
    writeFileSync(join(dir, 'cloud', 'metervision.db'), 'running');

    const error = await expectRejection(prepare(dir));

    expect(error.holderPid).toBe(process.pid);
    expect(error.message).toContain(`demo (pid ${process.pid}) uses the data folder`);
    expect(error.message).toContain(dir);
    expect(error.message).toContain('--data-dir');
    expect(readFileSync(join(dir, 'cloud', 'metervision.db'), 'utf8')).toBe('running');
  });

  it('takes over a stale lock', async () => {
    const dir = join(root, 'demo');
    mkdirSync(join(dir, 'agent'), { recursive: true });
    writeFileSync(join(dir, DEMO_MARKER_FILE), 'demo\n');
    writeFileSync(join(dir, DEMO_LOCK_FILE), `${deadPid()}\n`);

    await prepare(dir);

    expect(readFileSync(join(dir, DEMO_LOCK_FILE), 'utf8').trim()).toBe(String(process.pid));
    expect(existsSync(join(dir, 'agent'))).toBe(false);
  });

  it('rejects an unreadable lock file', async () => {
    const dir = join(root, 'demo');
    mkdirSync(join(dir, 'agent'), { recursive: true });
    writeFileSync(join(dir, DEMO_MARKER_FILE), 'demo\n');
    writeFileSync(join(dir, DEMO_LOCK_FILE), 'not a pid');

    const error = await expectRejection(prepare(dir));

    expect(error.message).toContain(join(dir, DEMO_LOCK_FILE));
    expect(existsSync(join(dir, 'agent'))).toBe(true);
  });

  it('release removes the lock', async () => {
    const dir = join(root, 'demo');
    const lock = await prepare(dir);
    expect(existsSync(join(dir, DEMO_LOCK_FILE))).toBe(true);

    await lock.release();

    expect(existsSync(join(dir, DEMO_LOCK_FILE))).toBe(false);
    expect(existsSync(join(dir, DEMO_MARKER_FILE))).toBe(true);
  });

  it('release keeps a lock taken over', async () => {
    const dir = join(root, 'demo');
    const lock = await prepare(dir);
    expect(readFileSync(join(dir, DEMO_LOCK_FILE), 'utf8').trim()).toBe(String(process.pid));
    const otherPid = deadPid();
    writeFileSync(join(dir, DEMO_LOCK_FILE), `${otherPid}\n`);

    await lock.release();

    expect(readFileSync(join(dir, DEMO_LOCK_FILE), 'utf8').trim()).toBe(String(otherPid));
  });
});
