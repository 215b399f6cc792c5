import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORPUS_ROOT, corpusAvailable } from '../bench/corpus.ts';

const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url));
const REPOSITORY_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MANIFEST = join(CORPUS_ROOT, 'aiedge', 'manifest.json');

/** Runs `pnpm vision` with `args` until it exits. */
async function runVision(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: REPOSITORY_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

describe('vision cli', () => {
  let emptyFolder: string;

  beforeAll(async () => {
    emptyFolder = await mkdtemp(join(tmpdir(), 'mv-vision-cli-'));
  });

  afterAll(async () => {
    await rm(emptyFolder, { recursive: true, force: true });
  });

  it.each([
    [['read', 'x.jpg', '--layot', 'l.json'], "invalid usage: Unknown option '--layot'"],
    [['quality'], 'invalid usage: quality needs an image'],
    [['frob'], 'invalid usage: unknown command "frob"'],
  ])('explains wrong usage %j', async (args, message) => {
    const result = await runVision(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toContain('    at ');
  });

  it('names a missing folder', async () => {
    const missing = join(emptyFolder, 'no-such-folder');
    const result = await runVision(['read-folder', missing, '--layout', 'l.json']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`folder ${missing} does not exist\n`);
  });

  it('names a folder without photos', async () => {
    const result = await runVision(['read-folder', emptyFolder, '--layout', join(REPOSITORY_ROOT, 'deploy/agent/layout.example.json')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`no .jpg, .png or .webp files in ${emptyFolder}\n`);
  });

  it('rejects --layout with --manifest', async () => {
    const result = await runVision(['read-folder', emptyFolder, '--layout', 'l.json', '--manifest', 'manifest.json']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('give --layout or --manifest, not both\n');
  });
});

if (!corpusAvailable()) console.warn(`vision cli manifest tests skipped: the photo corpus is absent at ${CORPUS_ROOT}`);

describe.skipIf(!corpusAvailable())('vision cli with a manifest', () => {
  it('reads a set with its layout', async () => {
    const result = await runVision(['read-folder', join(CORPUS_ROOT, 'aiedge', 'demo-2022'), '--manifest', MANIFEST, '--workers', '1']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(15);
    // File names are the labels; the worst photo of the set shows 0.015 m³ more than its label.
    for (const line of lines) {
      const [file, text] = line.split('\t');
      expect(Math.abs(Number(text) - Number(file!.replace('.jpg', ''))), line).toBeLessThanOrEqual(0.02);
    }
  });

  it('picks the set of one photo', async () => {
    const result = await runVision(['read', join(CORPUS_ROOT, 'aiedge', 'demo-2024', '531.82235.jpg'), '--manifest', MANIFEST, '--workers', '1']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ file: '531.82235.jpg', text: expect.stringMatching(/^00531\.8/) });
  });

  it('names a folder outside the manifest', async () => {
    const result = await runVision(['read-folder', CORPUS_ROOT, '--manifest', MANIFEST]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${CORPUS_ROOT} contains no photo set of ${MANIFEST}; its sets are in`);
    expect(result.stderr).toContain('aiedge/demo-2024');
  });
});
