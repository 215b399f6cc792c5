// Vision benchmark: accuracy and speed on the real photos and the synthetic stress set.
// Each set runs in its own child process. Its start-up time and peak RSS are then those of a
// process holding one reader, not of the benchmark as a whole.
import { fork } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseBenchArgs } from '@metervision/firmware-sim/bench-args';
import { pino } from 'pino';
import { MeterReader } from '../src/reader.ts';
import { CORPUS_ROOT, corpusAvailable, loadAiedgeSets } from './corpus.ts';
import { evaluateAiedge, evaluateNohn, evaluateStress, evaluateSweep, summarise, type Outcome, type SetSummary, type StressOutcome } from './evaluate.ts';

interface BenchSet extends SetSummary {
  startupMs: number;
  peakRssMb: number;
}

interface ConditionRow {
  images: number;
  read: number;
  flagged: number;
  wrongButConfident: number;
  failed: number;
}

interface SoakResult {
  readings: number;
  rssAfterFirstPassMb: number;
  rssEndMb: number;
  rssMaxMb: number;
}

interface ChildReport {
  sets: Record<string, BenchSet>;
  stressConditions?: Record<string, ConditionRow>;
  sweep?: Record<string, ConditionRow>;
  soak?: SoakResult;
}

const JOBS = ['aiedge', 'nohn', 'stress', 'sweep', 'soak'] as const;
type Job = (typeof JOBS)[number];

// Photos read before timing starts, so JIT compilation and first-call set-up are not counted.
const WARM_UP_READS = 3;

const USAGE = `Usage: pnpm bench:vision [options]

Measures the vision pipeline: reading accuracy, milliseconds per photo, reader start-up time and
peak RSS on the real photo corpus (skipped with a message when it is absent) and on the synthetic
stress set rendered by firmware-sim. Optional: a transition sweep on clean synthetic images, and a
memory soak that reads the real photos over and over. Each set runs in its own child process.

Options:
  --only LIST                 Comma-separated sets to run: ${JOBS.join(', ')}
                              (default: every set that applies)
  --stress-per-condition N    Synthetic images per stress condition (default 3)
  --seed N                    Seed of the stress set, a whole number of at least 0 (default 7)
  --sweep N                   Clean images in the transition sweep; 0 skips it (default 0)
  --soak N                    Readings in the memory soak; 0 skips it (default 0)
  --workers N                 Tesseract workers of the reader (default 1)
  --json                      Print one JSON object instead of tables
  --child SET                 Internal: run one set and send its report to the parent process
  -h, --help                  Print this help

Example: pnpm bench:vision --only stress,sweep --stress-per-condition 1 --sweep 20
`;

const cli = parseBenchArgs(USAGE, {
  json: { type: 'boolean' },
  'stress-per-condition': { type: 'string', default: '3' },
  seed: { type: 'string', default: '7' },
  sweep: { type: 'string', default: '0' },
  soak: { type: 'string', default: '0' },
  only: { type: 'string' },
  workers: { type: 'string', default: '1' },
  child: { type: 'string' },
});
const { values } = cli;
const stressPerCondition = cli.wholeNumber('--stress-per-condition', values['stress-per-condition']);
const seed = cli.wholeNumber('--seed', values.seed, 0);
const sweepImages = cli.wholeNumber('--sweep', values.sweep, 0);
const soakReadings = cli.wholeNumber('--soak', values.soak, 0);
const workers = cli.wholeNumber('--workers', values.workers);

const rssMb = () => Math.round(process.memoryUsage().rss / 1_048_576);
const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

async function runJob(job: Job): Promise<ChildReport> {
  const started = performance.now();
  const reader = await MeterReader.create({ workers, logger: pino({ level: 'silent' }) });
  const startupMs = Math.round(performance.now() - started);
  const finish = (outcomes: Outcome[]): BenchSet => ({ ...summarise(outcomes), startupMs, peakRssMb: peakRssMb() });

  try {
    if (job === 'stress') {
      const outcomes = await evaluateStress(reader, stressPerCondition, seed);
      return { sets: { 'firmware-sim stress': finish(outcomes) }, stressConditions: conditionTable(outcomes) };
    }
    if (job === 'sweep') {
      const outcomes = await evaluateSweep(reader, sweepImages);
      return { sets: { 'transition sweep': finish(outcomes) }, sweep: conditionTable(outcomes) };
    }
    if (job === 'soak') return { sets: {}, soak: await soak(reader, soakReadings) };

    await warmUp(reader);
    if (job === 'nohn') return { sets: { 'nohn-sample': finish(await evaluateNohn(reader)) } };
    const results = await evaluateAiedge(reader);
    return { sets: Object.fromEntries(Object.entries(results).map(([name, outcomes]) => [name, finish(outcomes)])) };
  } finally {
    await reader.close();
  }
}

async function warmUp(reader: MeterReader): Promise<void> {
  const [set] = await loadAiedgeSets();
  for (const photo of set!.photos.slice(0, WARM_UP_READS)) await reader.read(await readFile(photo.path), set!.layout);
}

function conditionTable(outcomes: StressOutcome[]): Record<string, ConditionRow> {
  const table: Record<string, ConditionRow> = {};
  for (const outcome of outcomes) {
    const row = (table[outcome.condition] ??= { images: 0, read: 0, flagged: 0, wrongButConfident: 0, failed: 0 });
    row.images += 1;
    if (outcome.error !== undefined) row.failed += 1;
    else if (outcome.wrongButConfident) row.wrongButConfident += 1;
    else if (outcome.accepted) row.read += 1;
    else row.flagged += 1;
  }
  return table;
}

// Reads the demo-2024 photos over and over; RSS after the first pass against the end shows growth.
async function soak(reader: MeterReader, readings: number): Promise<SoakResult> {
  const [set] = await loadAiedgeSets();
  const images = await Promise.all(set!.photos.map((photo) => readFile(photo.path)));
  let rssAfterFirstPassMb = 0;
  let rssMaxMb = 0;
  for (let index = 0; index < readings; index += 1) {
    await reader.read(images[index % images.length]!, set!.layout);
    if (index === images.length - 1) rssAfterFirstPassMb = rssMb();
    rssMaxMb = Math.max(rssMaxMb, rssMb());
  }
  return { readings, rssAfterFirstPassMb, rssEndMb: rssMb(), rssMaxMb };
}

// Real-photo sets need the corpus; the sweep and the soak run only when given a count.
function selectJobs(): Job[] {
  const requested = values.only?.split(',').map((name) => name.trim()) ?? null;
  const unknown = requested?.filter((name) => !isJob(name)) ?? [];
  if (unknown.length > 0) cli.fail(`Invalid --only ${JSON.stringify(values.only)}: unknown set ${unknown.join(', ')}; use some of ${JOBS.join(', ')}.`);
  if (requested?.includes('sweep') && sweepImages === 0) cli.fail('--only sweep needs a sweep size: add --sweep N, for example --sweep 200.');
  if (requested?.includes('soak') && soakReadings === 0) cli.fail('--only soak needs a soak length: add --soak N, for example --soak 2000.');

  const isRequested = (job: Job) => requested === null || requested.includes(job);
  const jobs: Job[] = [];
  if (!corpusAvailable()) console.error(`no photo corpus at ${CORPUS_ROOT}: the real-photo sets and the soak are skipped`);
  if (corpusAvailable() && isRequested('aiedge')) jobs.push('aiedge');
  if (corpusAvailable() && isRequested('nohn')) jobs.push('nohn');
  if (isRequested('stress')) jobs.push('stress');
  if (sweepImages > 0 && isRequested('sweep')) jobs.push('sweep');
  if (soakReadings > 0 && corpusAvailable() && isRequested('soak')) jobs.push('soak');
  return jobs;
}

function isJob(name: string): name is Job {
  return (JOBS as readonly string[]).includes(name);
}

function runChild(job: Job): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), [...cli.args, '--child', job], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let report: ChildReport | null = null;
    child.on('message', (message) => {
      report = message as ChildReport;
    });
    child.on('error', reject);
    child.on('exit', (code) => (report ? resolve(report) : reject(new Error(`benchmark child ${job} exited with code ${code} without a report`))));
  });
}

async function main(): Promise<void> {
  if (values.child !== undefined) {
    if (!isJob(values.child)) return cli.fail(`Invalid --child ${JSON.stringify(values.child)}: use one of ${JOBS.join(', ')}.`);
    process.send!(await runJob(values.child));
    return;
  }

  const jobs = selectJobs();

  const reports: ChildReport[] = [];
  for (const job of jobs) reports.push(await runChild(job));
  const sets = Object.assign({}, ...reports.map((report) => report.sets)) as Record<string, BenchSet>;
  const stressConditions = reports.find((report) => report.stressConditions)?.stressConditions ?? {};
  const sweep = reports.find((report) => report.sweep)?.sweep;
  const soakResult = reports.find((report) => report.soak)?.soak;

  if (values.json) {
    console.log(JSON.stringify({ sets, stressConditions, ...(sweep ? { sweep } : {}), ...(soakResult ? { soak: soakResult } : {}) }));
    return;
  }
  console.log(`vision benchmark: Node ${process.version}, ${workers} tesseract worker(s), load average ${loadavg().map((load) => load.toFixed(2)).join(' ')}`);
  if (Object.keys(sets).length > 0) console.table(sets);
  if (Object.keys(stressConditions).length > 0) {
    console.log(`stress set: ${stressPerCondition} images per condition, seed ${seed}`);
    console.table(stressConditions);
  }
  if (sweep) {
    console.log(`transition sweep: ${sweepImages} clean images`);
    console.table(sweep);
  }
  if (soakResult) {
    console.log(`soak: ${soakResult.readings} readings, RSS ${soakResult.rssAfterFirstPassMb} MB after the first pass, ${soakResult.rssEndMb} MB at the end, ${soakResult.rssMaxMb} MB at most`);
  }
}

await main();
