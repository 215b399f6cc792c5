import { resolve } from 'node:path';
import { writeStressSet } from '../stress/write-set.ts';
import { STRESS_CONDITIONS } from '../stress/conditions.ts';
import { formatHelp, parseFlags, required, UsageError, type Flag } from './flags.ts';

const FLAGS: Flag[] = [
  { name: 'out', type: 'string', help: 'Folder to write the images and manifest.json into (required).' },
  { name: 'per-condition', type: 'integer', help: 'Random meter values per condition, 1-100 (default 3).' },
  { name: 'seed', type: 'integer', help: 'Seed of the values and the noise (default 1).' },
  { name: 'format', type: 'string', help: 'jpeg or png (default jpeg).' },
];

export const stressSetHelp = formatHelp(
  'pnpm sim stress-set --out <dir> [--per-condition n] [--seed n] [--format jpeg|png]',
  `Writes a labelled set of synthetic meter images under hard conditions, with manifest.json
(condition, parameters, value, text and layout per image). Conditions:
${STRESS_CONDITIONS.map((condition) => `  ${condition.name}: ${condition.description}`).join('\n')}
  rolling-half, rolling-carry, rolling-dials: wheels caught between two digits`,
  FLAGS,
);

/** `sim stress-set`: writes the set and returns a summary line. */
export async function runStressSet(args: string[]): Promise<string> {
  const values = parseFlags(args, FLAGS);
  if (values.help) return stressSetHelp;

  const format = values.format ?? 'jpeg';
  if (format !== 'jpeg' && format !== 'png') {
    throw new UsageError(`Invalid --format ${JSON.stringify(format)}: use jpeg or png.`);
  }

  const outDir = resolve(required<string>(values, 'out'));
  const entries = await writeStressSet({ outDir, perCondition: values['per-condition'] as number | undefined, seed: values.seed as number | undefined, format });
  return `Wrote ${entries.length} images and manifest.json to ${outDir}`;
}
