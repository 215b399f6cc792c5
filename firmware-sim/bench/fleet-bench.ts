/** Fleet benchmark: N simulated devices against an in-process aedes broker (USAGE has the details). */
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { runFleet } from '../src/fleet.ts';
import { startTestBroker } from '../src/testing/broker.ts';
import { parseBenchArgs } from './args.ts';

const USAGE = `Usage: pnpm --filter @metervision/firmware-sim bench [-- options]

Connects N simulated cameras to an in-process aedes broker on loopback, then measures for a fixed
window: the connect ramp time, messages per second that reached the broker (by kind), readings
acknowledged per second, the event-loop delay (p99), and RSS and heap per device. Broker and
devices share one process, so the per-device memory includes the broker's state for each client.
Prints one JSON object.

Options:
  --count N         Simulated devices, a whole number (default 1000)
  --interval S      Seconds between two readings of a device (default 5)
  --heartbeat S     Seconds between two heartbeats of a device (default 30)
  --duration S      Seconds of the measured window, after all devices connected (default 30)
  --rate N          Devices connected per second during the ramp (default 500)
  -h, --help        Print this help

Example: pnpm --filter @metervision/firmware-sim bench -- --count 1000 --interval 5 --duration 30
`;

const cli = parseBenchArgs(USAGE, {
  count: { type: 'string', default: '1000' },
  interval: { type: 'string', default: '5' },
  heartbeat: { type: 'string', default: '30' },
  duration: { type: 'string', default: '30' },
  rate: { type: 'string', default: '500' },
});
const count = cli.wholeNumber('--count', cli.values.count);
const intervalSeconds = cli.positiveNumber('--interval', cli.values.interval);
const heartbeatSeconds = cli.positiveNumber('--heartbeat', cli.values.heartbeat);
const durationSeconds = cli.positiveNumber('--duration', cli.values.duration);
const rate = cli.positiveNumber('--rate', cli.values.rate);

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
process.stdout.write(`${JSON.stringify({ command: cli.args.join(' '), machine, ...result }, null, 2)}\n`);

function round(value: number, digits: number): number {
  return Math.round(value * 10 ** digits) / 10 ** digits;
}
