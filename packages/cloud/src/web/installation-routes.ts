import { InstallationEventsRepo } from '../installations/events.repo.ts';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { InstallationsRepo, type InstallationRow } from '../installations/installations.repo.ts';
import type { ApiEnv } from '../http/context.ts';
import { INSTALLATION_STATUSES, OPEN_STATUSES } from '../installations/types.ts';
import { HttpError, notFound } from '../http/errors.ts';
import { sameOriginForms } from './csrf.ts';
import { allowedActions, readActionForm, runAction } from './installation-actions.ts';
import { organizationsAllowedBy, PAGE_POLICIES } from './guard.ts';
import { sendImage, type PageKit } from './kit.ts';
import { renderPage } from './layout.ts';
import { installationBody, installationUrl, refreshInterval } from './pages/installation.ts';
import { hasActionForms, type ActionForm } from './pages/installation-forms.ts';
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

  /** Renders the session page; after a failed form post, with the error and the typed values. */
  const showSession = async (c: Context<ApiEnv>, installation: InstallationRow, failed?: { form: ActionForm; error: string; status: ContentfulStatusCode }) => {
    const principal = c.get('principal');
    const [meter, device, log] = await Promise.all([
      deps.repos.meters.findById(installation.meterId),
      deps.repos.devices.findById(installation.deviceId),
      events.list(installation.id),
    ]);
    const actions = {
      ...allowedActions(kit, principal, installation),
      error: failed?.error ?? null,
      expectedValue: failed?.form.expectedValue ?? '',
      meterSerial: failed?.form.meterSerial ?? '',
    };
    const body = installationBody({ installation, meter, device, events: log, actions });

    // Without script the page reloads itself only when it shows no form, so typed values stay.
    const refreshMs = refreshInterval(installation.status);
    const selfRefresh = refreshMs !== null && !failed && !hasActionForms(installation, actions);
    const page = {
      title: `Installation of ${meter?.serialNumber ?? installation.meterId}`,
      principal,
      section: 'installations' as const,
      body,
      scripts: ['live-region.js' as const],
      ...(selfRefresh ? { noscriptRefreshSeconds: Math.ceil(refreshMs / 1000) } : {}),
    };
    return renderPage(c, page, failed?.status ?? 200);
  };

  app.get('/ui/installations/:session_id', kit.page(PAGE_POLICIES.installation), async (c) => showSession(c, await sessionOf(c.req.param('session_id'))));

  // The form posts go through the API routes, which check their own policy rows: a role that
  // may read the session but not act on it gets the API's 403.
  app.post('/ui/installations/:session_id', sameOriginForms(), kit.page(PAGE_POLICIES.installation), async (c) => {
    const installation = await sessionOf(c.req.param('session_id'));
    const form = await readActionForm(c);
    const result = await runAction(kit, c, installation.id, form);
    if (!result.error) return c.redirect(installationUrl(installation.id), 303);
    if (result.status === 401 || result.status === 403 || result.status === 404) throw new HttpError(result.status, result.error);
    if (result.status !== 409 && result.status !== 422) throw new Error(`Form action ${form.action} of installation ${installation.id} failed with HTTP ${result.status}: ${result.error}`);

    kit.logger.info({ installationId: installation.id, action: form.action, status: result.status }, 'installation form rejected');
    return showSession(c, await sessionOf(installation.id), { form, error: result.error, status: result.status });
  });

  app.get('/ui/installations/:session_id/image', kit.resource(PAGE_POLICIES.validationImage), async (c) => {
    const installation = await sessionOf(c.req.param('session_id'));
    const image = installation.validation?.image;
    const meter = await deps.repos.meters.findById(installation.meterId);
    if (!image || !meter) throw notFound('Validation image');
    return sendImage(c, await kit.annotator.validationImage(meter, installation.id, installation.validation!.run, image));
  });
}
