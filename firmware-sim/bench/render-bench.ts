/**
 * Render benchmark: mean wall time of `renderMeter` for a 640x480 JPEG under a few knob sets,
 * after one warm-up render each.
 *
 * Run: pnpm --filter @metervision/firmware-sim bench:render -- --renders 20
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { renderMeter, type RenderOptions } from '../src/index.ts';

const { values } = parseArgs({ options: { renders: { type: 'string', default: '20' } } });
const renders = Number(values.renders);
if (!Number.isInteger(renders) || renders < 1) throw new Error(`Invalid --renders ${values.renders}: use a whole number of at least 1.`);

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
