import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { renderMeter } from '../render/compose.ts';
import { formatHelp, parseFlags, required, UsageError, type Flag } from './flags.ts';
import { RENDER_FLAGS, renderKnobsFromFlags } from './render-flags.ts';

const FLAGS: Flag[] = [
  { name: 'value', type: 'number', help: 'Meter value in m³, for example 530.0708 (required).' },
  { name: 'out', type: 'string', help: 'Image file to write (.jpg or .png); the truth goes to the same name with .json (required).' },
  ...RENDER_FLAGS,
];

export const renderHelp = formatHelp(
  'pnpm sim render --value <m³> --out <file> [knobs]',
  'Renders one synthetic meter image and writes its truth (value, text, layout) beside it as JSON.',
  FLAGS,
);

/** `sim render`: writes one image and its truth file; returns the lines to print. */
export async function runRender(args: string[]): Promise<string> {
  const values = parseFlags(args, FLAGS);
  if (values.help) return renderHelp;

  const out = resolve(required<string>(values, 'out'));
  const extension = extname(out).toLowerCase();
  const knobs = renderKnobsFromFlags(values);
  if (knobs.format === undefined) knobs.format = extension === '.png' ? 'png' : 'jpeg';
  if (extension === '' || !['.jpg', '.jpeg', '.png'].includes(extension)) {
    throw new UsageError(`Invalid --out ${JSON.stringify(out)}: use a .jpg, .jpeg or .png file name.`);
  }

  const rendered = await renderMeter({ ...knobs, value: required<number>(values, 'value') });
  const truthFile = out.slice(0, -extension.length) + '.json';
  const truth = {
    value: rendered.value,
    text: rendered.text,
    contentType: rendered.contentType,
    wheelPositions: rendered.wheelPositions,
    pointerPositions: rendered.pointerPositions,
    options: rendered.options,
    layout: rendered.layout,
  };

  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, rendered.image);
  await writeFile(truthFile, `${JSON.stringify(truth, null, 2)}\n`);
  return `Wrote ${out} (${rendered.text}) and ${truthFile}`;
}
