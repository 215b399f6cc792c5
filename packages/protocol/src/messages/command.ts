import { z } from 'zod';
import { messageIdSchema, timestampSchema } from '../ids.ts';

const commandBase = {
  v: z.literal(1),
  commandId: messageIdSchema,
  issuedAt: timestampSchema,
};

/** Cloud-to-device command on the `commands` topic (QoS 1, not retained). */
export const commandMessageSchema = z.discriminatedUnion('type', [
  /** Run a capture cycle now instead of waiting for the schedule. */
  z.object({ ...commandBase, type: z.literal('capture_now') }),
  /** Capture and publish the full image on the `images` topic (for ROI editing and validation). */
  z.object({ ...commandBase, type: z.literal('send_image') }),
  /** Re-read the local configuration file and the retained remote configuration. */
  z.object({ ...commandBase, type: z.literal('reload') }),
  /** Replace the stored previous value that plausibility checks compare against. */
  z.object({
    ...commandBase,
    type: z.literal('set_previous_value'),
    value: z.number().min(0),
  }),
]);

/** Device-to-cloud outcome of a command on the `commands/result` topic. */
export const commandResultMessageSchema = z.object({
  v: z.literal(1),
  commandId: messageIdSchema,
  type: z.enum(['capture_now', 'send_image', 'reload', 'set_previous_value']),
  status: z.enum(['ok', 'failed']),
  message: z.string().max(500).optional(),
  at: timestampSchema,
});

export type CommandMessage = z.infer<typeof commandMessageSchema>;
export type CommandType = CommandMessage['type'];
export type CommandResultMessage = z.infer<typeof commandResultMessageSchema>;
