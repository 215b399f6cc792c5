import { spawn } from 'node:child_process';
import os from 'node:os';
import { parseArgs } from 'node:util';

const HELP = `Usage: pnpm bench [options]

Runs the MeterVision benchmarks one after another and prints their figures. Each suite
states its own command, so one can be rerun alone; docs/benchmarks.md records the results.

Options:
  --only LIST          Comma-separated suites to run (default: all)
  --agent-cycles N     Capture cycles of the agent suite (default 10000)
  --list               List the suites and exit
  -h, --help           Print this help

Speed figures are only meaningful on an otherwise idle machine: each suite prints the load
average before it starts.
`;

interface Suite {
  name: string;
  what: string;
  command: (options: { agentCycles: number }) => string[];
}

const SUITES: Suite[] = [
  {
    name: 'vision',
    what: 'accuracy, ms per photo, start-up and peak RSS on the real and synthetic photo sets',
    command: () => ['pnpm', 'bench:vision'],
  },
  {
    name: 'cloud',
    what: 'requests/s of GET /meters_list/ and POST /token on SQLite (autocannon on loopback)',
    command: () => ['pnpm', '--filter', '@metervision/cloud', 'bench'],
  },
  {
    name: 'installations',
    what: 'time to validate a healthy simulated camera (11 runs on SQLite)',
    command: () => ['pnpm', 'exec', 'tsx', 'packages/cloud/src/installations/bench-validation.ts', '11', 'sqlite'],
  },
  {
    name: 'agent',
    what: 'capture cycles/s and RSS at start and end on a folder source',
    command: ({ agentCycles }) => ['pnpm', '--filter', '@metervision/agent', 'bench', '--', '--cycles', String(agentCycles)],
  },
  {
    name: 'fleet',
    what: 'simulated cameras against an in-process broker: connect time, messages/s, memory per device',
    command: () => ['pnpm', '--filter', '@metervision/firmware-sim', 'bench'],
  },
];

function parseOptions(argv: string[]): { suites: Suite[]; agentCycles: number } | 'help' | 'list' {
  const { values } = parseArgs({
    args: argv.filter((arg) => arg !== '--'),
    options: {
      only: { type: 'string' },
      'agent-cycles': { type: 'string', default: '10000' },
      list: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  if (values.list) return 'list';

  const agentCycles = Number(values['agent-cycles']);
  if (!Number.isInteger(agentCycles) || agentCycles < 1) {
    throw new Error(`Invalid --agent-cycles ${JSON.stringify(values['agent-cycles'])}: expected a positive integer.`);
  }

  if (!values.only) return { suites: SUITES, agentCycles };
  const names = values.only.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !SUITES.some((suite) => suite.name === name));
  if (unknown.length > 0) {
    throw new Error(`Unknown suite ${unknown.join(', ')} in --only: choose from ${SUITES.map((suite) => suite.name).join(', ')}.`);
  }
  return { suites: SUITES.filter((suite) => names.includes(suite.name)), agentCycles };
}

function run(command: string[]): Promise<number> {
  return new Promise((resolveRun) => {
    const child = spawn(command[0]!, command.slice(1), { stdio: 'inherit' });
    child.once('exit', (code, signal) => resolveRun(code ?? (signal ? 1 : 0)));
    child.once('error', () => resolveRun(1));
  });
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  if (options === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  if (options === 'list') {
    for (const suite of SUITES) process.stdout.write(`${suite.name.padEnd(14)}${suite.what}\n`);
    return 0;
  }

  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  process.stdout.write(`Machine: ${cpu}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}\n`);

  const failed: string[] = [];
  for (const suite of options.suites) {
    const command = suite.command(options);
    const load = os.loadavg().map((value) => value.toFixed(2)).join(' ');
    process.stdout.write(`\n=== ${suite.name}: ${suite.what}\n$ ${command.join(' ')}\n(load average before: ${load})\n\n`);

    const code = await run(command);
    if (code !== 0) failed.push(`${suite.name} (exit ${code})`);
  }

  if (failed.length > 0) {
    process.stderr.write(`\nFailed suites: ${failed.join(', ')}\n`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).message}\n\n${HELP}`);
    process.exit(2);
  },
);
