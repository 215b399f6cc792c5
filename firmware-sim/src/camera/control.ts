import { z } from 'zod';
import { FAULT_KINDS, MAX_FAULT_DELAY_MS } from './faults.ts';

/** Body of `POST /control`: changes the camera for tests that run it in another process. */
export const controlRequestSchema = z
  .object({
    /** New true value in m³; the flow continues from it. */
    value: z.number().min(0).optional(),
    /** New flow in m³ per hour. */
    flowM3PerHour: z.number().min(0).max(10_000).optional(),
    /** Render knobs merged into the current ones, for example `{ "brightness": 0.3 }`. */
    knobs: z.record(z.string(), z.unknown()).optional(),
    /** A fault for the next `count` captures (default 1). */
    fault: z
      .object({
        kind: z.enum(FAULT_KINDS),
        ms: z.number().min(0).max(MAX_FAULT_DELAY_MS).optional(),
        count: z.number().int().min(1).optional(),
      })
      .refine((fault) => fault.kind !== 'delay' || fault.ms !== undefined, { message: 'a delay fault needs ms', path: ['ms'] })
      .optional(),
    /** Drop every queued fault first. */
    clearFaults: z.boolean().optional(),
  })
  .strict();

export type ControlRequest = z.infer<typeof controlRequestSchema>;
