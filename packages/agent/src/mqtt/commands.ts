import { type CommandMessage, type CommandResultMessage, type CommandType, decodePayload } from '@metervision/protocol';
import type { Logger } from 'pino';
import { errorMessage } from '../errors.ts';

/** Handler of each command type; a handler returns a short message or throws. */
export type CommandHandlers = {
  [K in CommandType]: (command: Extract<CommandMessage, { type: K }>) => Promise<string | undefined>;
};

/**
 * Handles one message on the `commands` topic and returns the result to publish on
 * `commands/result`. A payload that is not a valid command is logged and dropped: without a
 * valid command id and type there is nothing the cloud could match a result to.
 */
export async function handleCommandMessage(
  payload: Buffer,
  handlers: CommandHandlers,
  logger: Logger,
): Promise<CommandResultMessage | null> {
  const decoded = decodePayload('commands', payload);
  if (!decoded.ok) {
    logger.warn({ issues: decoded.issues }, 'invalid command dropped');
    return null;
  }

  const command = decoded.value;
  logger.info({ commandId: command.commandId, type: command.type }, 'command received');
  try {
    const handler = handlers[command.type] as (command: CommandMessage) => Promise<string | undefined>;
    const message = await handler(command);
    return result(command, 'ok', message);
  } catch (error) {
    logger.warn({ commandId: command.commandId, type: command.type, err: errorMessage(error) }, 'command failed');
    return result(command, 'failed', errorMessage(error));
  }
}

function result(command: CommandMessage, status: 'ok' | 'failed', message?: string): CommandResultMessage {
  return {
    v: 1,
    commandId: command.commandId,
    type: command.type,
    status,
    message: message?.slice(0, 500),
    at: new Date().toISOString(),
  };
}
