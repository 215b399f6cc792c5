import type { z } from 'zod';
import type { TopicKind } from './topics.ts';
import { commandMessageSchema, commandResultMessageSchema } from './messages/command.ts';
import { configReportMessageSchema, deviceConfigSchema } from './messages/device-config.ts';
import { heartbeatMessageSchema } from './messages/heartbeat.ts';
import { imageMessageSchema } from './messages/image.ts';
import { readingMessageSchema } from './messages/reading.ts';
import { statusMessageSchema } from './messages/status.ts';

/** The payload schema of each topic kind. */
export const payloadSchemas = {
  status: statusMessageSchema,
  heartbeat: heartbeatMessageSchema,
  readings: readingMessageSchema,
  images: imageMessageSchema,
  'config/report': configReportMessageSchema,
  'commands/result': commandResultMessageSchema,
  config: deviceConfigSchema,
  commands: commandMessageSchema,
} as const satisfies Record<TopicKind, z.ZodType>;

export type PayloadOf<K extends TopicKind> = z.infer<(typeof payloadSchemas)[K]>;

/** One invalid field of a payload: a dotted path (empty for the whole payload) and what is wrong. */
export interface PayloadIssue {
  path: string;
  message: string;
}

export type DecodeResult<T> = { ok: true; value: T } | { ok: false; issues: PayloadIssue[] };

/** Converts zod issues into path/message pairs, for logs, reports and HTTP 422 bodies. */
export function toPayloadIssues(error: z.ZodError): PayloadIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
}

/**
 * Parses and validates an MQTT payload of `kind`. Never throws: invalid JSON or an invalid
 * field comes back as `ok: false` with one issue per problem.
 */
export function decodePayload<K extends TopicKind>(kind: K, payload: Buffer | string): DecodeResult<PayloadOf<K>> {
  let json: unknown;
  try {
    json = JSON.parse(typeof payload === 'string' ? payload : payload.toString('utf8'));
  } catch (error) {
    return { ok: false, issues: [{ path: '', message: `payload is not valid JSON: ${(error as Error).message}` }] };
  }

  const result = payloadSchemas[kind].safeParse(json);
  if (!result.success) return { ok: false, issues: toPayloadIssues(result.error) };
  return { ok: true, value: result.data as PayloadOf<K> };
}

/** Validates `message` against the schema of `kind` and serialises it; throws a ZodError when invalid. */
export function encodePayload<K extends TopicKind>(kind: K, message: z.input<(typeof payloadSchemas)[K]>): string {
  const parsed = payloadSchemas[kind].parse(message);
  return JSON.stringify(parsed);
}
