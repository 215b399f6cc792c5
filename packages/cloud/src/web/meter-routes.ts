import type { Context } from 'hono';
import type { ApiEnv } from '../http/context.ts';
import { notFound } from '../http/errors.ts';
import { organizationsAllowedBy, PAGE_POLICIES } from './guard.ts';
import { offsetQuery, searchQuery, sendImage, type PageKit } from './kit.ts';
import { renderPage } from './layout.ts';
import { CHART_READINGS, meterBody, READINGS_PAGE_SIZE } from './pages/meter.ts';
import { METERS_PAGE_SIZE, metersBody } from './pages/meters.ts';
import { readingBody } from './pages/reading.ts';
import { findMeterTreeRow, latestAcceptedValues, listMeterTree } from './queries.ts';

/**
 * Adds the meters pages: the searchable hierarchy (`/ui/meters`), one meter with its chart and
 * readings, one reading with its evidence, and the annotated evidence image.
 */
export function registerMeterPages(kit: PageKit): void {
  const { app, deps } = kit;
  const meterRow = kit.row(PAGE_POLICIES.meter);

  const meterOf = async (c: Context<ApiEnv>) => {
    const meter = await deps.repos.meters.findBySerial(c.req.param('serial_number') ?? '');
    if (!meter) throw notFound('Meter');
    return meter;
  };

  const readingOf = async (c: Context<ApiEnv>, meterId: number) => {
    const reading = await deps.repos.readings.findForMeter(meterId, c.req.param('reading_id') ?? '');
    if (!reading) throw notFound('Reading');
    return reading;
  };

  app.get('/ui/meters', kit.session, async (c) => {
    const principal = c.get('principal');
    const organizationIds = organizationsAllowedBy(meterRow, principal);
    const search = searchQuery(c);
    const { rows, truncated } = await listMeterTree(deps.database, organizationIds, { search, limit: METERS_PAGE_SIZE });
    const latest = await latestAcceptedValues(deps.database, organizationIds, rows.map((row) => row.meter.id));
    const showOrganization = organizationIds === null || organizationIds.length > 1;
    const body = metersBody({ rows, truncated, latest, search, showOrganization });
    return renderPage(c, { title: 'Meters', principal, section: 'meters', body });
  });

  app.get('/ui/meters/:serial_number', kit.page(PAGE_POLICIES.meter), async (c) => {
    const meter = await meterOf(c);
    const offset = offsetQuery(c);
    const chart = await deps.repos.readings.listForMeter(meter.id, { limit: CHART_READINGS, offset: 0 });
    const table = offset === 0 ? chart : await deps.repos.readings.listForMeter(meter.id, { limit: READINGS_PAGE_SIZE, offset });
    const body = meterBody({
      meter,
      path: await findMeterTreeRow(deps.database, meter.id),
      latest: await deps.repos.readings.latestAccepted(meter.id),
      chartReadings: chart.items,
      tableReadings: table.items.slice(0, READINGS_PAGE_SIZE),
      total: chart.total,
      offset,
    });
    const title = meter.name ?? meter.serialNumber;
    return renderPage(c, { title, principal: c.get('principal'), section: 'meters', body, scripts: ['uplot.min.js', 'meter-chart.js'], styles: ['uplot.min.css'] });
  });

  app.get('/ui/meters/:serial_number/readings/:reading_id', kit.page(PAGE_POLICIES.reading), async (c) => {
    const meter = await meterOf(c);
    const reading = await readingOf(c, meter.id);
    const body = readingBody({ meter, reading, path: await findMeterTreeRow(deps.database, meter.id) });
    return renderPage(c, { title: `Reading of ${meter.serialNumber}`, principal: c.get('principal'), section: 'meters', body });
  });

  app.get('/ui/meters/:serial_number/readings/:reading_id/evidence', kit.resource(PAGE_POLICIES.evidence), async (c) => {
    const meter = await meterOf(c);
    const reading = await readingOf(c, meter.id);
    if (!reading.imagePath) throw notFound('Reading image');
    return sendImage(c, await kit.annotator.reading(meter, { ...reading, imagePath: reading.imagePath }));
  });
}
