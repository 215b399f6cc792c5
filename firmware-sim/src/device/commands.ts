import type { CommandMessage, CommandResultMessage } from '@metervision/protocol';

/** Device operations that commands call. */
export interface CommandTarget {
  captureNow(): Promise<{ readingId: string; status: string }>;
  sendImage(commandId: string): Promise<{ imageId: string }>;
  setPreviousValue(value: number): void;
  reloadConfig(): Promise<void>;
}

/** Runs one command and builds its result; a thrown error becomes a `failed` result with its message. */
export async function runCommand(target: CommandTarget, command: CommandMessage): Promise<CommandResultMessage> {
  const result = (status: 'ok' | 'failed', message: string): CommandResultMessage => ({
    v: 1,
    commandId: command.commandId,
    type: command.type,
    status,
    message: message.slice(0, 500),
    at: new Date().toISOString(),
  });

  try {
    switch (command.type) {
      case 'capture_now': {
        const reading = await target.captureNow();
        return result('ok', `published reading ${reading.readingId} (${reading.status})`);
      }
      case 'send_image': {
        const image = await target.sendImage(command.commandId);
        return result('ok', `published image ${image.imageId}`);
      }
      case 'set_previous_value':
        target.setPreviousValue(command.value);
        return result('ok', `previous value set to ${command.value}`);
      case 'reload':
        await target.reloadConfig();
        return result('ok', 'configuration reloaded');
    }
  } catch (error) {
    return result('failed', (error as Error).message);
  }
}
