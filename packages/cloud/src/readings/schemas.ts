import { z } from '@hono/zod-openapi';
import { digitResultSchema, imageQualitySchema, pointerResultSchema } from '@metervision/protocol';
import type { ReadingRow } from './readings.repo.ts';

export const readingSchema = z
  .object({
    id: z.string().openapi({ description: 'Reading id, made on the device or by the server for uploads.' }),
    serial_number: z.string(),
    source: z.enum(['device', 'upload']),
    device_id: z.string().nullable(),
    uploaded_by: z.number().int().nullable().openapi({ description: 'User who uploaded the photo.' }),
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
    image_url: z.string().nullable().openapi({ description: 'Image evidence, when stored.' }),
  })
  .openapi('Reading');

export type ReadingJson = z.infer<typeof readingSchema>;

export function toReadingJson(row: ReadingRow, serialNumber: string): ReadingJson {
  return {
    id: row.id,
    serial_number: serialNumber,
    source: row.source,
    device_id: row.deviceId,
    uploaded_by: row.uploadedBy,
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
    image_url: row.imagePath ? `/meters/${encodeURIComponent(serialNumber)}/readings/${row.id}/image` : null,
  };
}
