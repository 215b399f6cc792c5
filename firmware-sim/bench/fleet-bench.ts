/**
 * Fleet benchmark: N simulated devices against an in-process aedes broker on loopback.
 * Reports the connect ramp time, messages per second that reached the broker, readings
 * acknowledged per second, event-loop delay, and RSS and heap per device. Broker and devices share
 * one process, so the per-device memory includes the broker's state for each client.
 *
 * Run: pnpm --filter @metervision/firmware-sim bench -- --count 1000 --interval 5 --duration 30
 */
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { runFleet } from '../src/fleet.ts';
import { startTestBroker } from '../src/testing/broker.ts';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '1000' },
    interval: { type: 'string', default: '5' },
    heartbeat: { type: 'string', default: '30' },
    duration: { type: 'string', default: '30' },
    rate: { type: 'string', default: '500' },
  },
});
const count = Number(values.count);
const intervalSeconds = Number(values.interval);
const heartbeatSeconds = Number(values.heartbeat);
const durationSeconds = Number(values.duration);
const rate = Number(values.rate);
for (const [name, value] of Object.entries({ count, intervalSeconds, heartbeatSeconds, durationSeconds, rate })) {
  if (!Number.isFinite(value) || value <= 0) throw new Error(`Invalid ${name} ${value}: use a positive number.`);
}

const collectGarbage = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const publishesByKind = new Map<string, number>();
const broker = await startTestBroker({
  record: false,
  onPublish: (_clientId, topic) => {
    const kind = topic.split('/').slice(4).join('/');
    publishesByKind.set(kind, (publishesByKind.get(kind) ?? 0) + 1);
  },
});

collectGarbage();
const before = process.memoryUsage();
const fleet = await runFleet({
  count,
  brokerUrl: broker.url,
  connectRatePerSecond: rate,
  readingIntervalSeconds: intervalSeconds,
  heartbeatIntervalSeconds: heartbeatSeconds,
});
collectGarbage();
const after = process.memoryUsage();

publishesByKind.clear();
const statsBefore = fleet.stats();
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();
const windowStart = performance.now();
await new Promise((resolve) => setTimeout(resolve, durationSeconds * 1000));
const windowSeconds = (performance.now() - windowStart) / 1000;
loopDelay.disable();
const statsAfter = fleet.stats();

const total = [...publishesByKind.values()].reduce((sum, value) => sum + value, 0);
const result = {
  devices: fleet.devices.length,
  failures: fleet.failures.length,
  connectSeconds: round(fleet.connectMs / 1000, 2),
  messagesPerSecond: round(total / windowSeconds, 1),
  byKindPerSecond: Object.fromEntries([...publishesByKind].map(([kind, value]) => [kind, round(value / windowSeconds, 1)])),
  readingsAcknowledgedPerSecond: round((statsAfter.readingsAcknowledged - statsBefore.readingsAcknowledged) / windowSeconds, 1),
  expectedReadingsPerSecond: round(fleet.devices.length / intervalSeconds, 1),
  eventLoopDelayP99Ms: round(loopDelay.percentile(99) / 1e6, 1),
  rssPerDeviceKiB: round((after.rss - before.rss) / 1024 / Math.max(1, fleet.devices.length), 1),
  heapPerDeviceKiB: round((after.heapUsed - before.heapUsed) / 1024 / Math.max(1, fleet.devices.length), 1),
  rssTotalMiB: round(after.rss / 1024 / 1024, 1),
};

await fleet.close();
await broker.close();

const machine = `${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}, load average ${os.loadavg().map((load) => load.toFixed(2)).join(' ')}`;
process.stdout.write(`${JSON.stringify({ command: process.argv.slice(2).join(' '), machine, ...result }, null, 2)}\n`);

function round(value: number, digits: number): number {
  return Math.round(value * 10 ** digits) / 10 ** digits;
}
