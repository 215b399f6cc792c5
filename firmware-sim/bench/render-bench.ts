/** Render benchmark: mean wall time of `renderMeter` under a few knob sets. */
import os from 'node:os';
import { renderMeter, type RenderOptions } from '../src/index.ts';
import { parseBenchArgs } from './args.ts';

const USAGE = `Usage: pnpm --filter @metervision/firmware-sim bench:render [-- options]

Measures the mean wall time of renderMeter per image under a few knob sets: a clean 640x480 JPEG,
rotation, blur, noise with glare, and a 1280x960 PNG. One warm-up render per set is not timed.
Prints one JSON object.

Options:
  --renders N       Timed renders per knob set, a whole number (default 20)
  -h, --help        Print this help

Example: pnpm --filter @metervision/firmware-sim bench:render -- --renders 20
`;

const cli = parseBenchArgs(USAGE, { renders: { type: 'string', default: '20' } });
const renders = cli.wholeNumber('--renders', cli.values.renders);

const knobSets: Record<string, Omit<RenderOptions, 'value'>> = {
  clean: {},
  'rotation 7 degrees': { rotationDegrees: 7 },
  'blur sigma 3': { blur: 3 },
  'noise 10 + glare 0.8': { noise: 10, glare: 0.8 },
  'PNG, 1280x960': { format: 'png', width: 1280, height: 960 },
};

const results: Record<string, number> = {};
for (const [name, knobs] of Object.entries(knobSets)) {
  await renderMeter({ value: 1, ...knobs });
  const started = performance.now();
  for (let index = 0; index < renders; index += 1) await renderMeter({ value: 530.0708 + index, seed: index, ...knobs });
  results[name] = Math.round((performance.now() - started) / renders);
}

const machine = `${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}, load average ${os.loadavg().map((load) => load.toFixed(2)).join(' ')}`;
process.stdout.write(`${JSON.stringify({ renders, machine, meanMsPerRender: results }, null, 2)}\n`);
