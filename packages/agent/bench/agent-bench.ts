// Capture-cycle benchmark of the edge agent (USAGE has the details).
import { rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { renderMeter } from '@metervision/firmware-sim';
import { parseBenchArgs } from '@metervision/firmware-sim/bench-args';
import { Aedes } from 'aedes';
import pino from 'pino';
import { startAgent } from '../src/agent.ts';
import { createAgentFixture } from '../src/testing/agent-fixture.ts';

const USAGE = `Usage: pnpm --filter @metervision/agent bench [-- options]

Runs N capture cycles of the edge agent on a folder source through the real pipeline (MeterReader
OCR, plausibility check, SQLite outbox with WAL and FULL sync, evidence image), with an in-process
aedes broker on loopback acknowledging every reading. Prints one JSON object: cycles per second,
RSS at start and end, a memory sample every 10 % of the run, and the reading statuses.

Options:
  --cycles N        Capture cycles, a whole number (default 10000)
  -h, --help        Print this help

Example: pnpm --filter @metervision/agent bench -- --cycles 100
`;

const cli = parseBenchArgs(USAGE, { cycles: { type: 'string', default: '10000' } });
const cycles = cli.wholeNumber('--cycles', cli.values.cycles);

const mib = (bytes: number) => Math.round((bytes / 1_048_576) * 10) / 10;

const broker = await Aedes.createBroker();
const server = createServer(broker.handle);
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = (server.address() as { port: number }).port;

// The simulator's default meter: a 640×480 JPEG (ESP32-CAM VGA), 5 wheels and 4 dials.
const fixture = await createAgentFixture('bench-1');
const meter = await renderMeter({ value: 530.0708, seed: 7 });
await writeFile(path.join(fixture.imageDir, 'meter.jpg'), meter.image);
const config = await fixture.config({
  mqtt: { url: `mqtt://127.0.0.1:${port}` },
  meter: { layout: meter.layout, evidence: { attach: 'always' } },
});
const agent = await startAgent(config, { logger: pino({ level: 'silent' }), schedule: false });

const statuses = new Map<string, number>();
const samples: { cycle: number; rssMiB: number; heapMiB: number }[] = [];
// Garbage collected first (with --expose-gc, which the bench script passes), so a sample shows
// what stays allocated rather than where the collector happened to be.
const collectGarbage = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const sample = (cycle: number) => {
  collectGarbage();
  const memory = process.memoryUsage();
  samples.push({ cycle, rssMiB: mib(memory.rss), heapMiB: mib(memory.heapUsed) });
};

sample(0);
const started = performance.now();
for (let cycle = 1; cycle <= cycles; cycle += 1) {
  const outcome = await agent.captureNow();
  const key = outcome.kind === 'reading' ? outcome.reading.status : outcome.kind;
  statuses.set(key, (statuses.get(key) ?? 0) + 1);
  if (cycle % Math.max(1, Math.floor(cycles / 10)) === 0) sample(cycle);
}
const seconds = (performance.now() - started) / 1_000;
const pending = agent.status().outbox.pending;

await agent.close();
await new Promise((resolve) => server.close(resolve));
await new Promise<void>((resolve) => broker.close(() => resolve()));
await rm(fixture.root, { recursive: true, force: true });

console.log(
  JSON.stringify(
    {
      cycles,
      seconds: Math.round(seconds * 10) / 10,
      cyclesPerSecond: Math.round((cycles / seconds) * 100) / 100,
      rssStartMiB: samples[0]!.rssMiB,
      rssEndMiB: samples.at(-1)!.rssMiB,
      statuses: Object.fromEntries(statuses),
      outboxPendingAtEnd: pending,
      samples,
      machine: { cpus: os.cpus().length, node: process.version, loadAverage: os.loadavg().map((load) => Math.round(load * 100) / 100) },
    },
    null,
    2,
  ),
);
