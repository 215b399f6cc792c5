import { z } from 'zod';
import { timestampSchema } from '../ids.ts';

/**
 * Retained presence message on the `status` topic. The device publishes `online` after it
 * connects and registers `offline` as its last will, so the broker publishes that one when the
 * connection drops without a DISCONNECT.
 */
export const statusMessageSchema = z.object({
  v: z.literal(1),
  state: z.enum(['online', 'offline']),
  /** Device clock when the message was built; for a last will, the time of the CONNECT. */
  at: timestampSchema,
  /** Set on `offline` when the device disconnected on purpose (shutdown, reboot). */
  reason: z.string().max(200).optional(),
});

export type StatusMessage = z.infer<typeof statusMessageSchema>;
