import type { MeterLayoutInput } from '@metervision/protocol';
import type { ApiClient } from './api-client.ts';

interface Created {
  id: number;
}

/** Creates the demo organization and the hierarchy project > customer > building > place > meter. */
export async function seedDemoMeter(api: ApiClient, serialNumber: string, layout: MeterLayoutInput): Promise<{ organizationId: number }> {
  const organization = await api.post<Created>('/api/organizations/', { name: 'Demo Water Utility' });
  const organization_id = organization.id;

  const project = await api.post<Created>('/projects/', { organization_id, name: 'Smart metering pilot' });
  const customer = await api.post<Created>('/customers/', { organization_id, project_id: project.id, name: 'Riverside Housing' });
  const building = await api.post<Created>('/buildings/', {
    organization_id,
    customer_id: customer.id,
    name: 'Riverside 12',
    address: '12 Riverside Road',
  });
  const place = await api.post<Created>('/places/', { organization_id, building_id: building.id, name: 'Basement, riser 1' });

  await api.post('/meters/', {
    organization_id,
    place_id: place.id,
    serial_number: serialNumber,
    name: 'Cold water main',
    meter_type: 'water',
    layout,
  });
  return { organizationId: organization_id };
}
