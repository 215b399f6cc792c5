import { z } from '@hono/zod-openapi';
import { embeddedMeterLayoutSchema, meterSerialSchema, plausibilityRulesSchema } from '@metervision/protocol';
import { readingSchema, toReadingJson } from '../readings/schemas.ts';
import type { ReadingRow } from '../readings/readings.repo.ts';
import type { MeterRow } from './meters.repo.ts';

export const METER_TYPES = ['water', 'gas', 'electricity', 'heat', 'other'] as const;
export const METER_STATUSES = ['pending', 'active', 'inactive', 'failed'] as const;

// Schemas imported from the protocol package were created before @hono/zod-openapi extended
// zod, so they have no `.openapi()`; they are wrapped or used as they are.
export const serialParam = z.object({ serial_number: meterSerialSchema });

export const createMeterSchema = z
  .object({
    organization_id: z.number().int().positive(),
    place_id: z.number().int().positive().openapi({ description: 'Place of the meter, in the same organization.' }),
    serial_number: meterSerialSchema,
    name: z.string().max(200).nullish(),
    meter_type: z.enum(METER_TYPES).default('water'),
    unit: z.string().min(1).max(16).optional().openapi({ description: "Defaults to the layout's unit, else m3." }),
    status: z.enum(METER_STATUSES).default('active'),
    layout: z
      .union([embeddedMeterLayoutSchema, z.null()])
      .optional()
      .openapi({ description: 'Where the digit wheels and pointers are in the photo; needed for server-side reading.' }),
    plausibility: plausibilityRulesSchema.nullish(),
  })
  .openapi('MeterCreate');

export const updateMeterSchema = z
  .object({
    name: z.string().max(200).nullable(),
    meter_type: z.enum(METER_TYPES),
    unit: z.string().min(1).max(16),
    status: z.enum(METER_STATUSES),
    layout: embeddedMeterLayoutSchema.nullable(),
    plausibility: plausibilityRulesSchema.nullable(),
  })
  .partial()
  .openapi('MeterUpdate');

export const meterSchema = z
  .object({
    id: z.number().int(),
    organization_id: z.number().int(),
    place_id: z.number().int(),
    serial_number: z.string(),
    name: z.string().nullable(),
    meter_type: z.string(),
    unit: z.string(),
    status: z.string(),
    layout: z.record(z.string(), z.unknown()).nullable(),
    plausibility: z.record(z.string(), z.unknown()).nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Meter');

export const meterWithReadingSchema = meterSchema.extend({ latest_reading: readingSchema.nullable() }).openapi('MeterWithLatestReading');

export function toMeterJson(row: MeterRow) {
  return {
    id: row.id,
    organization_id: row.organizationId,
    place_id: row.placeId,
    serial_number: row.serialNumber,
    name: row.name,
    meter_type: row.meterType,
    unit: row.unit,
    status: row.status,
    layout: (row.layout as Record<string, unknown> | null) ?? null,
    plausibility: (row.plausibility as Record<string, unknown> | null) ?? null,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

export function toMeterWithReadingJson(row: MeterRow, latest: ReadingRow | null) {
  return { ...toMeterJson(row), latest_reading: latest ? toReadingJson(latest, row.serialNumber) : null };
}
