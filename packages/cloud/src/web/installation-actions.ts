import type { Context } from 'hono';
import type { Principal } from '../access/principal.ts';
import type { InstallationRow } from '../installations/installations.repo.ts';
import { HttpError } from '../http/errors.ts';
import { postToApi, type ApiCallResult } from './api-call.ts';
import { organizationsAllowedBy } from './guard.ts';
import type { PageKit } from './kit.ts';
import type { ActionForm, InstallationActions } from './pages/installation-forms.ts';

/** API routes behind the session page's forms, by form `action`, with their policy row ids. */
const ACTIONS = {
  validate: { policy: 'installations.validate', path: 'validate' },
  complete: { policy: 'installations.complete', path: 'complete' },
} as const;

type ActionName = keyof typeof ACTIONS;

/** A meter value as people type it: digits with an optional decimal point or comma. */
const DECIMAL = /^[0-9]+(?:[.,][0-9]+)?$/;

/**
 * Tells which forms the session page offers: those whose API policy row allows the principal's
 * role in the session's organization, decided by the same rows as the API routes.
 */
export function allowedActions(kit: PageKit, principal: Principal, installation: InstallationRow): Pick<InstallationActions, 'mayValidate' | 'mayComplete'> {
  const allows = (name: ActionName) => {
    const organizations = organizationsAllowedBy(kit.row(ACTIONS[name].policy), principal);
    return organizations === null || organizations.includes(installation.organizationId);
  };
  return { mayValidate: allows('validate'), mayComplete: allows('complete') };
}

/** Reads the posted form. Missing fields come back empty. */
export async function readActionForm(c: Context): Promise<ActionForm> {
  const form = await c.req.parseBody();
  const text = (name: string) => (typeof form[name] === 'string' ? (form[name] as string).trim() : '');
  return { action: text('action'), expectedValue: text('expected_value'), meterSerial: text('meter_serial') };
}

/**
 * Runs the form's action through its API route (`POST /api/installations/{id}/validate` or
 * `/complete`). An unknown action is a 422 error, and so is a meter value that is not a
 * decimal number. The API checks everything else.
 */
export async function runAction(kit: PageKit, c: Context, installationId: string, form: ActionForm): Promise<ApiCallResult> {
  if (form.action !== 'validate' && form.action !== 'complete') {
    throw new HttpError(422, `Unknown form action ${JSON.stringify(form.action)}: use validate or complete.`);
  }

  const path = `/api/installations/${encodeURIComponent(installationId)}/${ACTIONS[form.action].path}`;
  if (form.action === 'complete') return postToApi(kit.api, c, path, null);

  if (!DECIMAL.test(form.expectedValue)) {
    const problem = form.expectedValue === '' ? 'is missing' : `${JSON.stringify(form.expectedValue)} is not a decimal number`;
    return { status: 422, error: `The value on the meter ${problem}: type the digits the meter shows, for example 1234.52.` };
  }
  const body: Record<string, unknown> = { expected_value: Number(form.expectedValue.replace(',', '.')) };
  if (form.meterSerial) body.meter_serial = form.meterSerial;
  return postToApi(kit.api, c, path, body);
}
