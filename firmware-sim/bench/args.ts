/**
 * Command-line handling shared by the MeterVision benchmark scripts. It is exported as
 * `@metervision/firmware-sim/bench-args` because every package with a benchmark already depends on
 * firmware-sim. `-h/--help` prints the usage and exits 0. An unknown option or an invalid value
 * prints one line naming it, then the usage, and exits 2, without a stack trace.
 *
 * @example
 * const cli = parseBenchArgs(USAGE, { cycles: { type: 'string', default: '100' } });
 * const cycles = cli.wholeNumber('--cycles', cli.values.cycles);
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;

type ParsedValues<T extends ParseArgsOptionsConfig> = ReturnType<typeof parseArgs<{ options: T; strict: true }>>['values'];

/** A benchmark's parsed command line and the checks that end the process on invalid input. */
export interface BenchCommandLine<T extends ParseArgsOptionsConfig> {
  /** The arguments after the script name, without the literal `--` that pnpm passes through. */
  args: string[];
  values: ParsedValues<T>;
  /** Always empty unless `allowPositionals` was set. */
  positionals: string[];
  /** Prints `message`, then the usage, to stderr and exits with status 2. */
  fail(message: string): never;
  /** Returns `text` as a whole number of at least `min` (default 1), or fails naming `label`. */
  wholeNumber(label: string, text: string | undefined, min?: number): number;
  /** Returns `text` as a number greater than 0, or fails naming `label`. */
  positiveNumber(label: string, text: string | undefined): number;
}

/**
 * Parses `process.argv` against `options` plus `-h/--help`. `usage` should end with a newline and
 * name what the script measures, every option with its default, and an example command.
 */
export function parseBenchArgs<const T extends ParseArgsOptionsConfig>(
  usage: string,
  options: T,
  { allowPositionals = false }: { allowPositionals?: boolean } = {},
): BenchCommandLine<T> {
  const args = process.argv.slice(2).filter((arg) => arg !== '--');
  const fail = (message: string): never => {
    process.stderr.write(`${message}\n\n${usage}`);
    return process.exit(2);
  };

  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals, strict: true });
  } catch (error) {
    if (!isParseArgsError(error)) throw error;
    return fail(explainParseError(error));
  }

  if (parsed.values.help) {
    process.stdout.write(usage);
    return process.exit(0);
  }

  const invalid = (label: string, text: string | undefined, expected: string): never =>
    fail(`Invalid ${label} ${JSON.stringify(text ?? '')}: use ${expected}.`);

  return {
    args,
    values: parsed.values as ParsedValues<T>,
    positionals: parsed.positionals,
    fail,
    wholeNumber(label, text, min = 1) {
      const value = Number(text);
      if (text?.trim() && Number.isSafeInteger(value) && value >= min) return value;
      return invalid(label, text, `a whole number of at least ${min}`);
    },
    positiveNumber(label, text) {
      const value = Number(text);
      if (text?.trim() && Number.isFinite(value) && value > 0) return value;
      return invalid(label, text, 'a number greater than 0');
    },
  };
}

function isParseArgsError(error: unknown): error is TypeError & { code: string } {
  return error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS');
}

// Node's messages name the option. Some span several lines, so they are joined into one.
function explainParseError(error: TypeError & { code: string }): string {
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    // With positionals allowed, Node also advises passing the argument after `--`. That advice is
    // left out because these scripts drop `--`.
    const option = /'([^']*)'/.exec(error.message)?.[1] ?? '';
    return `Unknown option '${option}': use one of the options listed below.`;
  }
  return `${error.message.replaceAll('\n', ' ').replace(/\.$/, '')}: see the usage below.`;
}
