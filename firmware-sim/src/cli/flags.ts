import { parseArgs } from 'node:util';
import { InvalidOptionError } from '../errors.ts';

/** One command-line flag: its name without dashes, its type and its help line (with unit and default). */
export interface Flag {
  name: string;
  type: 'number' | 'integer' | 'string' | 'boolean';
  help: string;
}

export type FlagValues = Record<string, string | number | boolean | undefined>;

/** Raised for unknown flags, missing values and values of the wrong type; the CLI prints it with the usage. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * A command that failed for a reason the user can fix (a port in use, a rejected password). The
 * CLI prints its message as one line, without a stack trace, and exits 1.
 */
export class CommandError extends Error {
  override name = 'CommandError';
}

/**
 * Parses `args` against `flags`. Numbers are checked here (`--blur abc` fails naming the flag);
 * ranges are checked by the option schemas, whose errors `flagName` turns back into flag names.
 */
export function parseFlags(args: string[], flags: Flag[]): FlagValues {
  const options = Object.fromEntries(
    [...flags, { name: 'help', type: 'boolean' as const, help: '' }].map((flag) => [
      flag.name,
      { type: flag.type === 'boolean' ? ('boolean' as const) : ('string' as const) },
    ]),
  );

  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args, options, allowPositionals: false, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message, { cause: error });
  }

  const values: FlagValues = {};
  for (const flag of flags) {
    const raw = parsed.values[flag.name];
    if (raw === undefined) continue;
    values[flag.name] = convert(flag, raw as string | boolean);
  }
  if (parsed.values.help === true) values.help = true;
  return values;
}

function convert(flag: Flag, raw: string | boolean): string | number | boolean {
  if (flag.type === 'boolean' || typeof raw === 'boolean') return raw;
  if (flag.type === 'string') return raw;

  const number = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(number)) {
    throw new UsageError(`Invalid --${flag.name} ${JSON.stringify(raw)}: expected a number.`);
  }
  if (flag.type === 'integer' && !Number.isInteger(number)) {
    throw new UsageError(`Invalid --${flag.name} ${JSON.stringify(raw)}: expected a whole number.`);
  }
  return number;
}

/** Turns an option path such as `rotationDegrees` into its flag `--rotation-degrees`. */
export function flagName(path: string): string {
  return `--${path.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}

/**
 * Rewrites an InvalidOptionError in terms of flags, for a command-line user. `aliases` maps
 * option paths whose flag is named differently (`deviceId` to `--id`); any other path is named
 * after its last segment (`knobs.displayOffset` to `--display-offset`).
 */
export function describeOptionError(error: InvalidOptionError, aliases: Record<string, string> = {}): string {
  return error.issues
    .map((issue) => {
      const flag = aliases[issue.path] ?? flagName(issue.path.split('.').at(-1) ?? issue.path);
      return `Invalid ${flag} ${JSON.stringify(issue.received)}: ${issue.message}.`;
    })
    .join('\n');
}

/** Formats the help of one subcommand: usage line, summary and one line per flag. */
export function formatHelp(usage: string, summary: string, flags: Flag[]): string {
  const width = Math.max(...flags.map((flag) => flag.name.length + (flag.type === 'boolean' ? 0 : 8)));
  const lines = flags.map((flag) => {
    const left = flag.type === 'boolean' ? `--${flag.name}` : `--${flag.name} <${flag.type === 'string' ? 'text' : 'n'}>`;
    return `  ${left.padEnd(width + 4)}${flag.help}`;
  });
  return `Usage: ${usage}\n\n${summary}\n\nOptions:\n${lines.join('\n')}\n  --help${' '.repeat(Math.max(1, width - 2))}Show this help.\n`;
}

/** Returns the value of a required flag or throws a UsageError naming it. */
export function required<T extends string | number>(values: FlagValues, name: string): T {
  const value = values[name];
  if (value === undefined) throw new UsageError(`Missing --${name}: this command needs it.`);
  return value as T;
}
