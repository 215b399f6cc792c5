import { z } from '@hono/zod-openapi';
import { digitResultSchema, imageQualitySchema, pointerResultSchema } from '@metervision/protocol';
import { paginationQuery } from '../http/pagination.ts';
import type { ReadingFilter, ReadingRow } from './readings.repo.ts';
import type { UnassignedReadingRow } from './unassigned.repo.ts';

/** Fields of a reading's outcome, the same for meter readings and unassigned readings. */
const readingResultFields = {
  status: z.enum(['accepted', 'flagged', 'rejected', 'failed']),
  value: z.number().nullable().openapi({ description: 'Meter value; only accepted readings carry one.' }),
  text: z.string().nullable(),
  raw_value: z.number().nullable(),
  raw_text: z.string().nullable(),
  unit: z.string(),
  confidence: z.number(),
  reason_code: z.string().nullable(),
  reason: z.string().nullable(),
  digits: z.array(digitResultSchema),
  pointers: z.array(pointerResultSchema),
  quality: imageQualitySchema.nullable(),
  config_version: z.number().int().nullable(),
  processing_ms: z.number().nullable(),
  captured_at: z.string(),
  received_at: z.string(),
};

export const readingSchema = z
  .object({
    id: z.string().openapi({ description: 'Reading id, made on the device or by the server for uploads.' }),
    serial_number: z.string(),
    source: z.enum(['device', 'upload']),
    device_id: z.string().nullable(),
    uploaded_by: z.number().int().nullable().openapi({ description: 'User who uploaded the photo.' }),
    ...readingResultFields,
    image_url: z.string().nullable().openapi({ description: 'Image evidence, when stored.' }),
  })
  .openapi('Reading');

export const unassignedReadingSchema = z
  .object({
    id: z.string().openapi({ description: 'Reading id, made on the device.' }),
    device_id: z.string(),
    reported_meter_serial: z.string().nullable().openapi({ description: 'Meter serial the device named in the message; not checked against any meter.' }),
    ...readingResultFields,
    image_url: z.string().nullable().openapi({ description: 'Image evidence, when stored.' }),
  })
  .openapi('UnassignedReading', { description: 'A reading a device sent while it was bound to no meter. It stays attached to the device.' });

// PostgreSQL refuses a year 0 that SQLite would compare as text. Bounds are kept to the years
// 1970-9999, which both databases handle alike and which hold every reading.
const windowBound = () =>
  z.iso
    .datetime({ offset: true })
    .refine((text) => {
      const year = new Date(text).getUTCFullYear();
      return year >= 1970 && year <= 9999;
    }, 'Must be a time between the years 1970 and 9999')
    .optional();

/** Query of reading lists: a page, one status, and a capture window [since, until). */
export const readingListQuery = z.object({
  ...paginationQuery,
  status: readingResultFields.status.optional(),
  since: windowBound().openapi({ description: 'Only captures at or after this time.' }),
  until: windowBound().openapi({ description: 'Only captures before this time.' }),
});

export function toReadingFilter(query: z.infer<typeof readingListQuery>): ReadingFilter {
  return { status: query.status, since: query.since ? new Date(query.since) : undefined, until: query.until ? new Date(query.until) : undefined };
}

export type ReadingJson = z.infer<typeof readingSchema>;
export type UnassignedReadingJson = z.infer<typeof unassignedReadingSchema>;

function readingResultJson(row: ReadingRow | UnassignedReadingRow) {
  return {
    status: row.status,
    value: row.value,
    text: row.text,
    raw_value: row.rawValue,
    raw_text: row.rawText,
    unit: row.unit,
    confidence: row.confidence,
    reason_code: row.reasonCode,
    reason: row.reason,
    digits: row.digits,
    pointers: row.pointers,
    quality: row.quality ?? null,
    config_version: row.configVersion,
    processing_ms: row.processingMs,
    captured_at: row.capturedAt.toISOString(),
    received_at: row.receivedAt.toISOString(),
  };
}

export function toReadingJson(row: ReadingRow, serialNumber: string): ReadingJson {
  return {
    id: row.id,
    serial_number: serialNumber,
    source: row.source,
    device_id: row.deviceId,
    uploaded_by: row.uploadedBy,
    ...readingResultJson(row),
    image_url: row.imagePath ? `/meters/${encodeURIComponent(serialNumber)}/readings/${row.id}/image` : null,
  };
}

export function toUnassignedReadingJson(row: UnassignedReadingRow): UnassignedReadingJson {
  return {
    id: row.id,
    device_id: row.deviceId,
    reported_meter_serial: row.reportedMeterSerial,
    ...readingResultJson(row),
    image_url: row.imagePath ? `/api/devices/${encodeURIComponent(row.deviceId)}/unassigned-readings/${row.id}/image` : null,
  };
}
