import { spawnSync } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from './cli.ts';

const deployDir = fileURLToPath(new URL('../../../deploy/agent/', import.meta.url));
const hasAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;
const requireServices = process.env.METERVISION_REQUIRE_SERVICES === '1';
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'mv-deploy-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('deploy files', () => {
  it.skipIf(!hasAnalyze && !requireServices)('passes systemd-analyze verify', () => {
    if (!hasAnalyze) throw new Error('systemd-analyze is missing (apt-get install systemd)');
    const result = spawnSync('systemd-analyze', ['verify', path.join(deployDir, 'metervision-agent.service')], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('limits glibc malloc arenas', async () => {
    const unit = await readFile(path.join(deployDir, 'metervision-agent.service'), 'utf8');
    expect(unit.split('\n')).toContain('Environment=MALLOC_ARENA_MAX=2');
  });

  it('ships a valid example configuration', async () => {
    await copyFile(path.join(deployDir, 'agent.example.json'), path.join(dir, 'agent.json'));
    await copyFile(path.join(deployDir, 'layout.example.json'), path.join(dir, 'layout.json'));
    const lines: string[] = [];
    const errors: string[] = [];
    const code = await main(['config', 'check', '--config', path.join(dir, 'agent.json')], (line) => lines.push(line), (line) => errors.push(line));
    expect(errors).toEqual([]);
    expect(code).toBe(0);
    expect(lines.join('\n')).toContain('Pi camera');
  });
});

if (!hasAnalyze && !requireServices) console.warn('systemd unit check skipped: systemd-analyze is missing (apt-get install systemd)');
