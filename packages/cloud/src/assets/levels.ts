/** The four levels above meters in the asset hierarchy: projects > customers > buildings > places. */
export interface AssetLevel {
  /** Singular name, used in messages and resource policies. */
  name: 'project' | 'customer' | 'building' | 'place';
  plural: 'projects' | 'customers' | 'buildings' | 'places';
  /** Path parameter of the get route. */
  idParam: string;
  /** The level above, with the foreign key column and its JSON field; none for projects. */
  parent: { level: AssetLevel['name']; column: 'projectId' | 'customerId' | 'buildingId'; field: string } | null;
  /** Buildings carry a postal address. */
  hasAddress: boolean;
}

export const ASSET_LEVELS: readonly AssetLevel[] = [
  { name: 'project', plural: 'projects', idParam: 'project_id', parent: null, hasAddress: false },
  {
    name: 'customer',
    plural: 'customers',
    idParam: 'customer_id',
    parent: { level: 'project', column: 'projectId', field: 'project_id' },
    hasAddress: false,
  },
  {
    name: 'building',
    plural: 'buildings',
    idParam: 'building_id',
    parent: { level: 'customer', column: 'customerId', field: 'customer_id' },
    hasAddress: true,
  },
  {
    name: 'place',
    plural: 'places',
    idParam: 'place_id',
    parent: { level: 'building', column: 'buildingId', field: 'building_id' },
    hasAddress: false,
  },
];

export function assetLevel(name: AssetLevel['name']): AssetLevel {
  return ASSET_LEVELS.find((level) => level.name === name)!;
}
