import { mkdir, open, readFile, readdir, rm, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** File the demo writes into each data folder it creates or adopts: only such folders may be emptied. */
export const DEMO_MARKER_FILE = '.metervision-demo';
/** File with the pid of the demo that uses the data folder, created with O_EXCL so only one demo can create it. */
export const DEMO_LOCK_FILE = '.metervision-demo.lock';

const MARKER_TEXT = 'This folder holds the data of the MeterVision demo (pnpm start), which empties it at each start.\n';
// Two demos may race to take over the same stale lock, so creating the lock file is tried this many times.
const LOCK_ATTEMPTS = 3;

/** Data folder the demo must not use. The message is one line for the user and names the folder. */
export class DemoDataDirError extends Error {
  override name = 'DemoDataDirError';

  constructor(
    message: string,
    /** Absolute path of the data folder. */
    readonly dir: string,
    /** Pid in the lock file of the running demo that locked the folder, or null. */
    readonly holderPid: number | null = null,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Exclusive use of a demo data folder, until `release`. */
export interface DemoDataDirLock {
  dir: string;
  /** Deletes the lock file unless another demo has taken it over since. */
  release(): Promise<void>;
}

/**
 * Locks `dir` for this process and empties it, keeping only the marker and the lock file.
 * The folder must be missing, empty or marked by an earlier demo. Otherwise, or when a running
 * demo has locked it, this throws DemoDataDirError before changing anything in the folder.
 */
export async function prepareDemoDataDir(dir: string): Promise<DemoDataDirLock> {
  await assertDemoMayEmpty(dir);

  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, DEMO_MARKER_FILE), MARKER_TEXT, { flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  const lockPath = join(dir, DEMO_LOCK_FILE);
  await acquireLock(dir, lockPath);

  for (const entry of await readdir(dir)) {
    if (entry === DEMO_MARKER_FILE || entry === DEMO_LOCK_FILE) continue;
    await rm(join(dir, entry), { recursive: true, force: true });
  }
  return { dir, release: () => releaseLock(lockPath) };
}

async function assertDemoMayEmpty(dir: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code === 'ENOTDIR') {
      throw new DemoDataDirError(`The data folder ${dir} is a file or lies under one: pick an empty or new folder with --data-dir.`, dir, null, { cause: error });
    }
    throw error;
  }

  if (entries.length === 0 || entries.includes(DEMO_MARKER_FILE)) return;
  throw new DemoDataDirError(
    `The data folder ${dir} is not empty and was not made by the demo, which empties its folder at start: pick an empty or new folder with --data-dir, or remove this one yourself.`,
    dir,
  );
}

async function acquireLock(dir: string, lockPath: string): Promise<void> {
  for (let attempt = 1; attempt <= LOCK_ATTEMPTS; attempt += 1) {
    if (await createLockFile(lockPath)) return;

    const holderPid = await readLockHolder(dir, lockPath);
    if (holderPid === null) continue;
    if (isRunning(holderPid)) {
      throw new DemoDataDirError(
        `Another demo (pid ${holderPid}) uses the data folder ${dir}: stop it or pass --data-dir with another folder. If pid ${holderPid} is not a demo, delete ${lockPath}.`,
        dir,
        holderPid,
      );
    }

    // NOTE: two demos that find the same stale lock at the same moment may both delete it, and
    // the later deletion can remove the lock the other one has just created.
    await rm(lockPath, { force: true });
  }
  throw new DemoDataDirError(`Locking the data folder ${dir} failed ${LOCK_ATTEMPTS} times because other demos kept taking it: stop them or pass --data-dir with another folder.`, dir);
}

/** Creates the lock file with this process's pid, or returns false when the file exists already. */
async function createLockFile(lockPath: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(lockPath, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }

  try {
    await handle.writeFile(`${process.pid}\n`);
  } finally {
    await handle.close();
  }
  return true;
}

/** Returns the pid in the lock file, or null when the file has gone in the meantime. */
async function readLockHolder(dir: string, lockPath: string): Promise<number | null> {
  let text: string;
  try {
    text = await readFile(lockPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }

  // An empty file is also what a demo leaves between creating its lock and writing its pid, so
  // text without a pid means "held" and is never taken over.
  const pid = /^\d+$/.test(text.trim()) ? Number(text.trim()) : 0;
  if (pid > 0) return pid;
  throw new DemoDataDirError(`The lock file ${lockPath} contains no pid: if no demo uses ${dir}, delete the lock file and start again.`, dir);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function releaseLock(lockPath: string): Promise<void> {
  const text = await readFile(lockPath, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  if (text.trim() !== String(process.pid)) return;
  await unlink(lockPath);
}
