import { InstallationEventsRepo } from '../installations/events.repo.ts';
import { InstallationsRepo } from '../installations/installations.repo.ts';
import { INSTALLATION_STATUSES, OPEN_STATUSES } from '../installations/types.ts';
import { notFound } from '../http/errors.ts';
import { organizationsAllowedBy, PAGE_POLICIES } from './guard.ts';
import { sendImage, type PageKit } from './kit.ts';
import { renderPage } from './layout.ts';
import { installationBody, refreshInterval } from './pages/installation.ts';
import { INSTALLATIONS_PAGE_SIZE, installationsBody, RECENT_CLOSED } from './pages/installations.ts';
import { listInstallations } from './queries.ts';

const CLOSED_STATUSES = INSTALLATION_STATUSES.filter((status) => !OPEN_STATUSES.includes(status));

/**
 * Adds the installation pages: open sessions with their four stages, one session with every
 * check, and the validation image with the meter's ROIs drawn on it.
 */
export function registerInstallationPages(kit: PageKit): void {
  const { app, deps } = kit;
  const installations = new InstallationsRepo(deps.database);
  const events = new InstallationEventsRepo(deps.database);
  const installationRow = kit.row(PAGE_POLICIES.installation);

  const sessionOf = async (id: string | undefined) => {
    const installation = await installations.findById(id ?? '');
    if (!installation) throw notFound('Installation');
    return installation;
  };

  app.get('/ui/installations', kit.session, async (c) => {
    const principal = c.get('principal');
    const organizationIds = organizationsAllowedBy(installationRow, principal);
    const open = await listInstallations(deps.database, organizationIds, { statuses: OPEN_STATUSES, limit: INSTALLATIONS_PAGE_SIZE });
    const closed = await listInstallations(deps.database, organizationIds, { statuses: CLOSED_STATUSES, limit: RECENT_CLOSED });
    const showOrganization = organizationIds === null || organizationIds.length > 1;
    const body = installationsBody({ open, closed, showOrganization });
    return renderPage(c, { title: 'Installations', principal, section: 'installations', body, scripts: ['live-region.js'], noscriptRefreshSeconds: 10 });
  });

  app.get('/ui/installations/:session_id', kit.page(PAGE_POLICIES.installation), async (c) => {
    const installation = await sessionOf(c.req.param('session_id'));
    const [meter, device, log] = await Promise.all([
      deps.repos.meters.findById(installation.meterId),
      deps.repos.devices.findById(installation.deviceId),
      events.list(installation.id),
    ]);
    const body = installationBody({ installation, meter, device, events: log });
    const refreshMs = refreshInterval(installation.status);
    return renderPage(c, {
      title: `Installation of ${meter?.serialNumber ?? installation.meterId}`,
      principal: c.get('principal'),
      section: 'installations',
      body,
      scripts: ['live-region.js'],
      ...(refreshMs ? { noscriptRefreshSeconds: Math.ceil(refreshMs / 1000) } : {}),
    });
  });

  app.get('/ui/installations/:session_id/image', kit.resource(PAGE_POLICIES.validationImage), async (c) => {
    const installation = await sessionOf(c.req.param('session_id'));
    const image = installation.validation?.image;
    const meter = await deps.repos.meters.findById(installation.meterId);
    if (!image || !meter) throw notFound('Validation image');
    return sendImage(c, await kit.annotator.validationImage(meter, installation.id, installation.validation!.run, image));
  });
}
