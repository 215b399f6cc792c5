import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { renderMeter } from '@metervision/firmware-sim';
import type { MeterLayoutInput } from '@metervision/protocol';
import { type AgentConfig, resolveAgentConfig } from '../config/load.ts';

/** A temporary agent setup: state directory, image folder and a rendered meter's layout. */
export interface AgentFixture {
  root: string;
  stateDir: string;
  imageDir: string;
  layout: MeterLayoutInput;
  /** Renders a meter showing `value` into the image folder and returns the file path. */
  putMeter(name: string, value: number): Promise<string>;
  config(overrides?: Record<string, unknown>): Promise<AgentConfig>;
}

/** Small synthetic meter images keep OCR fast: 320×240, 5 wheels, 2 dials. */
export const TEST_METER = { width: 320, height: 240, wheels: 5, pointers: 2, seed: 5 } as const;

export async function createAgentFixture(deviceId = 'cam-1'): Promise<AgentFixture> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'mv-agent-'));
  const stateDir = path.join(root, 'state');
  const imageDir = path.join(root, 'images');
  await mkdir(imageDir, { recursive: true });
  const { layout } = await renderMeter({ ...TEST_METER, value: 1 });

  return {
    root,
    stateDir,
    imageDir,
    layout,
    async putMeter(name, value) {
      const rendered = await renderMeter({ ...TEST_METER, value });
      const file = path.join(imageDir, name);
      await writeFile(file, rendered.image);
      return file;
    },
    config(overrides = {}) {
      const { meter, ...rest } = overrides as { meter?: Record<string, unknown> };
      return resolveAgentConfig({
        deviceId,
        stateDir,
        logLevel: 'silent',
        source: { type: 'folder', path: imageDir, mode: 'newest', settleMs: 0 },
        retry: { attempts: 1, initialDelayMs: 10 },
        mqtt: { reconnectPeriodMs: 200, connectTimeoutMs: 2_000 },
        heartbeat: { intervalSeconds: 3_600 },
        ...rest,
        meter: { layout, evidence: { attach: 'never' }, ...meter },
      });
    },
  };
}
