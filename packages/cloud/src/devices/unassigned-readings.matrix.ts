import type { TestApp } from '../testing/app.ts';
import type { MatrixCalls } from '../testing/matrix.ts';
import type { SeededOrganization } from '../testing/seed.ts';

// Requests of the access matrix for the unassigned readings of a device; see `src/testing/matrix.ts`.

/** Stores one unassigned reading with an image for the seeded device of `org`; returns its id. */
async function storeUnassignedReading(api: TestApp, org: SeededOrganization, n: number, photo: Buffer): Promise<string> {
  const id = `matrix-unassigned-${n}`;
  const imagePath = await api.deps.evidence.saveForDevice(org.id, org.deviceId, id, 'image/png', photo);
  await api.repos.unassignedReadings.insertOnce({
    id,
    organizationId: org.id,
    deviceId: org.deviceId,
    status: 'failed',
    unit: 'm3',
    confidence: 0,
    digits: [],
    pointers: [],
    capturedAt: new Date(),
    receivedAt: new Date(),
    imagePath,
    imageContentType: 'image/png',
  });
  return id;
}

export const UNASSIGNED_READINGS_MATRIX_CALLS: MatrixCalls = {
  'devices.unassigned_readings.list': async ({ api, org, n, photo }) => {
    await storeUnassignedReading(api, org, n, photo);
    return { method: 'GET', path: `/api/devices/${org.deviceId}/unassigned-readings`, ok: 200 };
  },
  'devices.unassigned_readings.image': async ({ api, org, n, photo }) => {
    const id = await storeUnassignedReading(api, org, n, photo);
    return { method: 'GET', path: `/api/devices/${org.deviceId}/unassigned-readings/${id}/image`, ok: 200 };
  },
};
