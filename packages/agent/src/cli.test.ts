import { spawn } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { topics } from '@metervision/protocol';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { main } from './cli.ts';
import { createAgentFixture, type AgentFixture } from './testing/agent-fixture.ts';
import { MOSQUITTO, MosquittoBroker, REQUIRE_SERVICES } from './testing/broker.ts';
import { ReadingCollector, waitFor } from './testing/collector.ts';

const bin = fileURLToPath(new URL('../bin/metervision-agent.mjs', import.meta.url));
let fixture: AgentFixture;
let configFile: string;

async function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, (line) => out.push(line), (line) => err.push(line));
  return { code, out: out.join('\n'), err: err.join('\n') };
}

async function writeConfig(extra: object = {}, name = 'agent.json'): Promise<string> {
  const file = path.join(fixture.root, name);
  const config = {
    deviceId: 'cam-1',
    stateDir: 'state',
    source: { type: 'folder', path: 'images', settleMs: 0 },
    meter: { layoutFile: 'layout.json', evidence: { attach: 'never' } },
    ...extra,
  };
  await writeFile(file, JSON.stringify(config, null, 2));
  return file;
}

beforeAll(async () => {
  fixture = await createAgentFixture();
  await writeFile(path.join(fixture.root, 'layout.json'), JSON.stringify(fixture.layout));
  await fixture.putMeter('meter.jpg', 123.4);
  configFile = await writeConfig();
});

afterAll(async () => {
  await rm(fixture.root, { recursive: true, force: true });
});

describe('cli', () => {
  it('prints help for each command', async () => {
    for (const args of [['--help'], ['run', '--help'], ['pair', '--help'], ['capture-once', '--help'], ['config', 'check', '--help']]) {
      const result = await run(args);
      expect(result.code, args.join(' ')).toBe(0);
      expect(result.out, args.join(' ')).toMatch(/^Usage: metervision-agent/);
    }
  });

  it('rejects an unknown command', async () => {
    const result = await run(['start']);
    expect(result.code).toBe(2);
    expect(result.err).toContain('unknown command "start"');
  });

  it('checks a valid configuration', async () => {
    const result = await run(['config', 'check', '--config', configFile]);
    expect(result.code).toBe(0);
    expect(result.out).toContain(`${configFile}: valid`);
    expect(result.out).toContain('5 digit wheels');
  });

  it('lists every invalid field', async () => {
    const file = path.join(fixture.root, 'bad.json');
    await writeFile(file, JSON.stringify({ deviceId: 'cam/1', source: { type: 'http', url: 'ftp://x' }, meter: { schedule: { intervalSeconds: 1 } } }));
    const result = await run(['config', 'check', '--config', file]);
    expect(result.code).toBe(1);
    expect(result.err).toContain(file);
    for (const field of ['deviceId', 'source.url', 'meter.schedule.intervalSeconds']) expect(result.err).toContain(field);
  });

  it('reports misspelt keys with suggestions', async () => {
    const file = await writeConfig(
      {
        meter: { layoutFile: 'layout.json', evidence: { attach: 'never' }, schedul: { intervalSeconds: 10 } },
        mqtt: { keepalive: 5 },
        heartbeats: {},
      },
      'misspelt.json',
    );
    const result = await run(['config', 'check', '--config', file]);
    expect(result.code).toBe(1);
    expect(result.err).toContain('meter.schedul: unknown key; did you mean meter.schedule?');
    expect(result.err).toContain('mqtt.keepalive: unknown key; did you mean mqtt.keepaliveSeconds?');
    expect(result.err).toContain('heartbeats: unknown key; did you mean heartbeat?');
  });

  it('lists unknown keys without a match', async () => {
    const file = await writeConfig({ source: { type: 'folder', path: 'images', settleMs: 0, colour: 'red' } }, 'unmatched.json');
    const result = await run(['config', 'check', '--config', file]);
    expect(result.code).toBe(1);
    expect(result.err).toContain('source.colour: unknown key; known keys: type, path, mode, extensions, settleMs');
  });

  it('lists a missing layout with schema errors', async () => {
    const file = path.join(fixture.root, 'bad-and-missing.json');
    await writeFile(file, JSON.stringify({ deviceId: 'cam/1', source: { type: 'folder', path: 'images' }, meter: { layoutFile: 'missing-layout.json' } }));
    const result = await run(['config', 'check', '--config', file]);
    expect(result.code).toBe(1);
    expect(result.err).toContain('deviceId:');
    expect(result.err).toContain(`meter.layoutFile: cannot read layout ${path.join(fixture.root, 'missing-layout.json')}`);
  });

  it('names a file that is not JSON', async () => {
    const file = path.join(fixture.root, 'broken.json');
    await writeFile(file, '{ "deviceId": ');
    const result = await run(['config', 'check', '--config', file]);
    expect(result.code).toBe(1);
    expect(result.err).toContain(`${file} is not valid JSON`);
  });

  it('captures once with an annotated image', async () => {
    const output = path.join(fixture.root, 'annotated.jpg');
    const result = await run(['capture-once', '--config', configFile, '--output', output, '--json']);
    const summary = JSON.parse(result.out);
    expect(summary.origin).toBe(path.join(fixture.imageDir, 'meter.jpg'));
    expect(['accepted', 'flagged', 'rejected', 'failed']).toContain(summary.status);
    expect(summary.annotatedImage).toBe(output);
    const metadata = await sharp(await readFile(output)).metadata();
    expect(metadata.format).toBe('jpeg');
  });

  it('writes the format the extension names', async () => {
    for (const [name, format] of [['annotated.png', 'png'], ['annotated.WEBP', 'webp']] as const) {
      const output = path.join(fixture.root, name);
      const result = await run(['capture-once', '--config', configFile, '--output', output]);
      expect(result.out, name).toContain(`annotated image: ${output}`);
      const metadata = await sharp(await readFile(output)).metadata();
      expect(metadata.format, name).toBe(format);
    }
  });

  it('rejects an unknown output extension', async () => {
    const output = path.join(fixture.root, 'annotated.gif');
    const result = await run(['capture-once', '--config', configFile, '--output', output]);
    expect(result.code).toBe(2);
    expect(result.err).toBe(`invalid --output ${output}: the extension must be .jpg, .jpeg, .png or .webp, which sets the image format`);
    await expect(readFile(output)).rejects.toThrow('ENOENT');
  });
});

/** Runs the real binary, as `pnpm agent` does, and collects its exit code and output. */
async function runBin(args: string[]) {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise((resolve) => child.once('exit', resolve));
  return { code, stdout, stderr };
}

/** Writes a config whose state directory contains `name` with `content`. */
async function configWithStateFile(stateDir: string, name: string, content: string): Promise<{ file: string; damaged: string }> {
  const file = await writeConfig({ stateDir }, `${stateDir}.json`);
  const damaged = path.join(fixture.root, stateDir, name);
  await mkdir(path.dirname(damaged), { recursive: true });
  await writeFile(damaged, content);
  return { file, damaged };
}

describe('cli state files', () => {
  it('names truncated credentials on run', async () => {
    const { file, damaged } = await configWithStateFile('state-bad-credentials', 'credentials.json', '{ "deviceId": "cam-1", "mqttPass');
    const result = await runBin(['run', '--config', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`Error: ${damaged} is not valid JSON: pair the agent again`);
    expect(result.stderr).toContain('or restore the file');
    expect(result.stderr).not.toContain('Unexpected end of JSON input');
    expect(await readFile(damaged, 'utf8')).toContain('mqttPass');
  });

  it('names a garbage database on run', async () => {
    const { file, damaged } = await configWithStateFile('state-bad-db-run', 'agent.db', 'not a database '.repeat(100));
    const result = await runBin(['run', '--config', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`Error: ${damaged} is not an SQLite database: move it aside (it holds unsent readings) and start again`);
    expect(await readFile(damaged, 'utf8')).toContain('not a database');
  });

  it('names a garbage database on capture-once', async () => {
    const { file, damaged } = await configWithStateFile('state-bad-db-once', 'agent.db', 'not a database '.repeat(100));
    const result = await run(['capture-once', '--config', file, '--output', path.join(fixture.root, 'unused.jpg')]);
    expect(result.code).toBe(1);
    expect(result.err).toBe(`Error: ${damaged} is not an SQLite database: move it aside (it holds unsent readings) and start again`);
    expect(await readFile(damaged, 'utf8')).toContain('not a database');
  });
});

const describeWithBroker = MOSQUITTO || REQUIRE_SERVICES ? describe : describe.skip;

describeWithBroker('cli run', () => {
  let broker: MosquittoBroker;
  let collector: ReadingCollector;

  // Hooks, not a finally block: a timed-out test is abandoned, but its afterEach still runs.
  beforeEach(async () => {
    broker = await MosquittoBroker.start();
    collector = await ReadingCollector.connect(broker.url, ['metervision/v1/devices/cam-1/#']);
  });

  afterEach(async () => {
    await collector.close();
    await broker.close();
  });

  it('shuts down cleanly on SIGTERM', async () => {
    const file = await writeConfig({ mqtt: { url: broker.url }, stateDir: 'state-run' });
    const child = spawn(process.execPath, [bin, 'run', '--config', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    const output: string[] = [];
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));

    try {
      await waitFor(() => collector.readings().length === 1, 'the first scheduled reading', 30_000);
      child.kill('SIGTERM');
      const code = await new Promise((resolve) => child.once('exit', resolve));
      expect(code, output.join('')).toBe(0);
      expect(output.join('')).toContain('agent stopped');

      await waitFor(() => collector.received<{ state: string }>('status').some((status) => status.state === 'offline'), 'the offline status');
      const status = collector.messages.filter((message) => message.topic === topics.status('cam-1')).at(-1)!;
      expect(JSON.parse(status.payload.toString())).toMatchObject({ state: 'offline', reason: 'shutdown' });
    } finally {
      child.kill('SIGKILL');
    }
  });
});
