import { pino } from 'pino';
import { InvalidOptionError } from './errors.ts';
import { CommandError, describeOptionError, UsageError } from './cli/flags.ts';
import { CAMERA_OPTION_FLAGS, cameraHelp, runCamera } from './cli/camera-command.ts';
import { DEVICE_OPTION_FLAGS, deviceHelp, runDevice } from './cli/device-command.ts';
import { FLEET_OPTION_FLAGS, fleetHelp, runFleetCommand } from './cli/fleet-command.ts';
import { renderHelp, runRender } from './cli/render-command.ts';
import { runStressSet, stressSetHelp } from './cli/stress-set-command.ts';

/** A subcommand: its help and its runner, which returns text to print or runs until stopped. */
interface Command {
  summary: string;
  help: string;
  run: (args: string[], context: CommandContext) => Promise<string | void>;
  /** Flags named differently from the option they set, by option path. */
  optionFlags?: Record<string, string>;
}

export interface CommandContext {
  logger: pino.Logger;
}

const COMMANDS: Record<string, Command> = {
  render: { summary: 'Render one meter image and its truth JSON', help: renderHelp, run: runRender },
  'stress-set': { summary: 'Write a labelled set of images under hard conditions', help: stressSetHelp, run: runStressSet },
  device: { summary: 'Run one simulated camera device on MQTT', help: deviceHelp, run: runDevice, optionFlags: DEVICE_OPTION_FLAGS },
  fleet: { summary: 'Run many simulated devices against one broker', help: fleetHelp, run: runFleetCommand, optionFlags: FLEET_OPTION_FLAGS },
  camera: { summary: 'Run a virtual ESP32-CAM (HTTP snapshots of a running meter)', help: cameraHelp, run: runCamera, optionFlags: CAMERA_OPTION_FLAGS },
};

function mainHelp(): string {
  const lines = Object.entries(COMMANDS).map(([name, command]) => `  ${name.padEnd(12)}${command.summary}`);
  return `Usage: pnpm sim <command> [options]\n\nVirtual meter cameras for demos, tests and load benchmarks.\n\nCommands:\n${lines.join('\n')}\n\nRun pnpm sim <command> --help for the options of a command.\n`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === 'help') {
    process.stdout.write(mainHelp());
    return name === undefined ? 1 : 0;
  }

  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`Unknown command ${JSON.stringify(name)}.\n\n${mainHelp()}`);
    return 1;
  }

  const logger = pino({ level: process.env.LOG_LEVEL ?? 'info' }, pino.destination(2));
  try {
    const output = await command.run(args, { logger });
    if (output) process.stdout.write(output.endsWith('\n') ? output : `${output}\n`);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n\nRun pnpm sim ${name} --help for the options.\n`);
      return 2;
    }
    if (error instanceof InvalidOptionError) {
      process.stderr.write(`${describeOptionError(error, command.optionFlags)}\n\nRun pnpm sim ${name} --help for the options.\n`);
      return 2;
    }
    if (error instanceof CommandError) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    logger.error({ err: error, command: name }, 'command failed');
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
