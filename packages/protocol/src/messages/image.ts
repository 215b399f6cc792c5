import { z } from 'zod';
import { messageIdSchema, timestampSchema } from '../ids.ts';
import { embeddedImageSchema } from './reading.ts';

/** A full camera image on the `images` topic, sent in answer to a `send_image` command. */
export const imageMessageSchema = z.object({
  v: z.literal(1),
  imageId: messageIdSchema,
  /** The `send_image` command this answers, when there was one. */
  commandId: messageIdSchema.optional(),
  capturedAt: timestampSchema,
  width: z.number().int().min(1),
  height: z.number().int().min(1),
  image: embeddedImageSchema,
});

export type ImageMessage = z.infer<typeof imageMessageSchema>;
