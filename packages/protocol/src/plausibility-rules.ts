import { z } from 'zod';

/**
 * Plausibility rules applied to a new reading against the previous accepted one, on the device
 * before publishing and in the cloud before storing. All rates are in the layout's unit.
 */
export const plausibilityRulesSchema = z.object({
  /** Accept a value lower than the previous one (a meter that can run backwards). */
  allowNegativeRate: z.boolean().default(false),
  /** Largest accepted change between two consecutive accepted readings, whatever the time between them. */
  maxDelta: z.number().positive().optional(),
  /** Largest accepted change per minute of elapsed time between the two readings. */
  maxRatePerMinute: z.number().positive().optional(),
});

export type PlausibilityRules = z.infer<typeof plausibilityRulesSchema>;

/** The rules of a meter that sets none: a lower value than the previous one is rejected, any rise accepted. */
export const DEFAULT_PLAUSIBILITY_RULES: PlausibilityRules = Object.freeze(plausibilityRulesSchema.parse({}));
