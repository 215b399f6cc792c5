import { setTimeout as sleep } from 'node:timers/promises';
import type { CaptureSettings } from '@metervision/protocol';
import type { RpicamSourceConfig } from '../config/schema.ts';
import { CaptureError } from '../errors.ts';
import { findOnPath, runCommand } from './run-command.ts';
import { type CapturedImage, type CaptureSource, describeBytes, looksLikeImage } from './types.ts';

const CAMERA_COMMANDS = ['rpicam-still', 'libcamera-still'];
/** Time the camera gets for auto exposure and white balance before the still, in milliseconds. */
const SETTLE_MS = 1_000;
const FLASH_TIMEOUT_MS = 5_000;

/**
 * Creates the Raspberry Pi camera source through `rpicam-still` (or `libcamera-still`), JPEG on standard
 * output so nothing is written to the SD card. Exposure, gain and the GPIO flash come from the
 * capture settings, which the cloud may change remotely.
 */
export function createRpicamSource(config: RpicamSourceConfig): CaptureSource {
  let resolvedCommand: string | null = config.command === 'auto' ? null : config.command;

  return {
    description: `rpicam ${config.command}`,

    async capture(settings: CaptureSettings, signal?: AbortSignal): Promise<CapturedImage> {
      resolvedCommand ??= await findOnPath(CAMERA_COMMANDS);
      if (!resolvedCommand) {
        throw new CaptureError('command_not_found', CAMERA_COMMANDS.join(' or '), 'no camera command on PATH; install rpicam-apps');
      }

      const command = resolvedCommand;
      const flash = settings.flash;
      if (flash) {
        await runCommand(...flashCommand(config.flashOn, flash.gpio), { timeoutMs: FLASH_TIMEOUT_MS, signal });
        await sleep(flash.warmupMs, undefined, { signal });
      }

      try {
        const { stdout } = await runCommand(command, cameraArgs(config, settings), {
          timeoutMs: settings.timeoutMs,
          maxBytes: 30_000_000,
          signal,
        });
        if (stdout.length === 0) throw new CaptureError('empty', command, 'printed no image');
        if (!looksLikeImage(stdout)) throw new CaptureError('not_an_image', command, `output is not a JPEG: ${describeBytes(stdout)}`);
        return { image: stdout, origin: command, capturedAt: new Date() };
      } finally {
        if (flash) await runCommand(...flashCommand(config.flashOff, flash.gpio), { timeoutMs: FLASH_TIMEOUT_MS });
      }
    },
  };
}

/** Arguments of one still: JPEG on stdout, no preview window, settings from the remote configuration. */
export function cameraArgs(config: RpicamSourceConfig, settings: CaptureSettings): string[] {
  const args = ['--nopreview', '--timeout', String(SETTLE_MS), '--encoding', 'jpg', '--quality', String(config.quality)];
  if (config.width !== undefined) args.push('--width', String(config.width));
  if (config.height !== undefined) args.push('--height', String(config.height));
  if (settings.exposureMicroseconds !== undefined) args.push('--shutter', String(settings.exposureMicroseconds));
  if (settings.gain !== undefined) args.push('--gain', String(settings.gain));
  args.push(...config.extraArgs, '--output', '-');
  return args;
}

function flashCommand(template: readonly string[], gpio: number): [string, string[]] {
  const [command, ...args] = template.map((part) => part.replaceAll('{gpio}', String(gpio)));
  return [command!, args];
}
