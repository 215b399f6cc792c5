import type { CaptureSettings } from '@metervision/protocol';
import type { Logger } from 'pino';
import { type CaptureSource, captureWithRetry } from './capture/index.ts';
import type { RetrySettings } from './config/schema.ts';
import type { CommandHandlers } from './mqtt/commands.ts';
import type { DeviceLink } from './mqtt/device-link.ts';
import type { StateStore } from './outbox/state.ts';
import type { CycleOutcome } from './pipeline.ts';
import { buildImageMessage } from './send-image.ts';

export interface CommandContext {
  captureNow(): Promise<CycleOutcome>;
  source(): CaptureSource;
  captureSettings(): CaptureSettings;
  retry(): RetrySettings;
  link(): DeviceLink | null;
  state: StateStore;
  reload(): Promise<string>;
  signal: AbortSignal;
  logger: Logger;
}

/** Builds the handler of each cloud command; a handler returns the message of its result or throws. */
export function createCommandHandlers(context: CommandContext): CommandHandlers {
  return {
    capture_now: async () => describeOutcome(await context.captureNow()),

    send_image: async (command) => {
      const link = context.link();
      if (!link?.connected) throw new Error('not connected to the broker');
      const { captured } = await captureWithRetry(context.source(), context.captureSettings(), context.retry(), {
        logger: context.logger,
        signal: context.signal,
      });
      const message = await buildImageMessage(captured, command.commandId);
      await link.publishAndWait('images', message);
      return `image ${message.width}x${message.height} sent as ${message.imageId}`;
    },

    reload: () => context.reload(),

    set_previous_value: async (command) => {
      context.state.previousValue = { value: command.value, at: new Date().toISOString() };
      context.logger.info({ value: command.value }, 'previous value set by command');
      return `previous value set to ${command.value}`;
    },
  };
}

function describeOutcome(outcome: CycleOutcome): string {
  if (outcome.kind === 'idle') return 'no new image to read';
  if (outcome.kind === 'capture_failed') throw new Error(outcome.error.message);

  const reading = outcome.reading;
  const read = reading.rawValue === null ? '' : ` (${reading.rawText ?? reading.rawValue})`;
  return `reading ${reading.readingId} ${reading.status}${read}`;
}
