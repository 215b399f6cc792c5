import { z } from '@hono/zod-openapi';
import type { AssetRow } from './assets.repo.ts';
import type { AssetLevel } from './levels.ts';

const positiveId = z.number().int().positive();

/** Body of `POST /<level>/`: the organization, the parent id for levels below projects, a name. */
export function createAssetSchema(level: AssetLevel) {
  const shape: Record<string, z.ZodType> = {
    organization_id: positiveId.openapi({ description: 'Organization that owns the asset.', example: 1 }),
    name: z.string().trim().min(1).max(200),
    description: z.string().max(2000).nullish(),
  };
  if (level.parent) shape[level.parent.field] = positiveId.openapi({ description: `Parent ${level.parent.level}, in the same organization.` });
  if (level.hasAddress) shape.address = z.string().max(500).nullish();
  return z.object(shape).openapi(`${capitalize(level.name)}Create`);
}

export function assetSchema(level: AssetLevel) {
  const shape: Record<string, z.ZodType> = {
    id: z.number().int(),
    organization_id: z.number().int(),
    name: z.string(),
    description: z.string().nullable(),
    created_at: z.string(),
  };
  if (level.parent) shape[level.parent.field] = z.number().int();
  if (level.hasAddress) shape.address = z.string().nullable();
  return z.object(shape).openapi(capitalize(level.name));
}

export function toAssetJson(level: AssetLevel, row: AssetRow): Record<string, unknown> {
  const json: Record<string, unknown> = {
    id: row.id,
    organization_id: row.organizationId,
    name: row.name,
    description: row.description,
    created_at: row.createdAt.toISOString(),
  };
  if (level.parent) json[level.parent.field] = row.parentId;
  if (level.hasAddress) json.address = row.address;
  return json;
}

export function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
