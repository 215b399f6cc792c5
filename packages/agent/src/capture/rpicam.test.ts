import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { captureSettingsSchema } from '@metervision/protocol';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { rpicamSourceSchema } from '../config/schema.ts';
import { CaptureError } from '../errors.ts';
import { smallJpeg } from '../testing/images.ts';
import { createRpicamSource } from './rpicam.ts';

let dir: string;
let jpegFile: string;
let jpeg: Buffer;
const originalPath = process.env.PATH;

// Stand-ins on PATH for the Raspberry Pi tools: behave like rpicam-still and pinctrl, log their arguments.
const RPICAM_SCRIPT = `#!/bin/sh
echo "$@" >> "$FAKE_DIR/rpicam.log"
case "$FAKE_RPICAM_MODE" in
  hang) sleep 30 ;;
  garbage) echo "ERROR: *** no cameras available ***" ;;
  fail) echo "ERROR: *** no cameras available ***" >&2; exit 255 ;;
  *) cat "$FAKE_DIR/meter.jpg" ;;
esac
`;
const PINCTRL_SCRIPT = `#!/bin/sh
echo "$@" >> "$FAKE_DIR/pinctrl.log"
`;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'mv-rpicam-'));
  jpeg = await smallJpeg();
  jpegFile = path.join(dir, 'meter.jpg');
  await writeFile(jpegFile, jpeg);
  for (const [name, script] of [['libcamera-still', RPICAM_SCRIPT], ['pinctrl', PINCTRL_SCRIPT]]) {
    await writeFile(path.join(dir, name!), script!);
    await chmod(path.join(dir, name!), 0o755);
  }
  process.env.PATH = `${dir}${path.delimiter}${originalPath}`;
  process.env.FAKE_DIR = dir;
});

afterAll(async () => {
  process.env.PATH = originalPath;
  delete process.env.FAKE_RPICAM_MODE;
  await rm(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  delete process.env.FAKE_RPICAM_MODE;
  await rm(path.join(dir, 'rpicam.log'), { force: true });
  await rm(path.join(dir, 'pinctrl.log'), { force: true });
});

const source = (input: object = {}) => createRpicamSource(rpicamSourceSchema.parse({ type: 'rpicam', ...input }));

async function captureError(settings: object = {}): Promise<CaptureError> {
  const error = await source().capture(captureSettingsSchema.parse(settings)).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(CaptureError);
  return error as CaptureError;
}

describe('rpicam source', () => {
  it('captures from the command on PATH', async () => {
    const captured = await source().capture(captureSettingsSchema.parse({}));
    expect(captured.image.equals(jpeg)).toBe(true);
    expect(captured.origin).toBe(path.join(dir, 'libcamera-still'));
  });

  it('passes exposure and gain', async () => {
    await source({ width: 1280, height: 960 }).capture(captureSettingsSchema.parse({ exposureMicroseconds: 20_000, gain: 2.5 }));
    const args = await readFile(path.join(dir, 'rpicam.log'), 'utf8');
    expect(args).toContain('--shutter 20000');
    expect(args).toContain('--gain 2.5');
    expect(args).toContain('--width 1280 --height 960');
    expect(args).toContain('--output -');
  });

  it('switches the flash around the capture', async () => {
    await source().capture(captureSettingsSchema.parse({ flash: { gpio: 17, warmupMs: 10 } }));
    const calls = (await readFile(path.join(dir, 'pinctrl.log'), 'utf8')).trim().split('\n');
    expect(calls).toEqual(['set 17 op dh', 'set 17 op dl']);
  });

  it('kills a hanging camera', async () => {
    process.env.FAKE_RPICAM_MODE = 'hang';
    const error = await captureError({ timeoutMs: 500 });
    expect(error.code).toBe('timeout');
  });

  it('switches the flash off after a failure', async () => {
    process.env.FAKE_RPICAM_MODE = 'fail';
    const error = await source().capture(captureSettingsSchema.parse({ flash: { gpio: 4, warmupMs: 0 } })).catch((caught: unknown) => caught);
    expect((error as CaptureError).code).toBe('command_failed');
    expect(await readFile(path.join(dir, 'pinctrl.log'), 'utf8')).toContain('set 4 op dl');
  });

  it('reports the camera error text', async () => {
    process.env.FAKE_RPICAM_MODE = 'fail';
    const error = await captureError();
    expect(error.message).toContain('no cameras available');
    expect(error.details.exitCode).toBe(255);
  });

  it('rejects output that is no JPEG', async () => {
    process.env.FAKE_RPICAM_MODE = 'garbage';
    const error = await captureError();
    expect(error.code).toBe('not_an_image');
  });

  it('reports a missing command', async () => {
    const missing = createRpicamSource(rpicamSourceSchema.parse({ type: 'rpicam', command: 'no-such-camera-command' }));
    const error = (await missing.capture(captureSettingsSchema.parse({})).catch((caught: unknown) => caught)) as CaptureError;
    expect(error.code).toBe('command_not_found');
  });
});
