import { html } from 'hono/html';
import type { InstallationRow } from '../../installations/installations.repo.ts';
import type { InstallationStatus } from '../../installations/types.ts';
import type { Html } from '../layout.ts';

/** Session states in which a new validation run may be requested (see `requestValidation`). */
const VALIDATABLE: readonly InstallationStatus[] = ['paired', 'validated', 'validation_failed'];

/** Permissions of the signed-in user on the session, and the values they typed, kept after an error. */
export interface InstallationActions {
  /** The `installations.validate` policy row allows the user's role in the session's organization. */
  mayValidate: boolean;
  /** The `installations.complete` policy row allows the user's role in the session's organization. */
  mayComplete: boolean;
  /** Error of the last form post, shown above the forms; null after a GET. */
  error: string | null;
  expectedValue: string;
  meterSerial: string;
}

/** Values of the dashboard's action form: `action` is `validate` or `complete`. */
export interface ActionForm {
  action: string;
  expectedValue: string;
  meterSerial: string;
}

/** True when the page shows at least one form, so it must not reload itself while the user types. */
export function hasActionForms(installation: InstallationRow, actions: InstallationActions): boolean {
  const canValidate = actions.mayValidate && VALIDATABLE.includes(installation.status);
  const canComplete = actions.mayComplete && (installation.status === 'validated' || installation.status === 'validation_failed');
  return canValidate || canComplete;
}

/**
 * Renders the validate and complete forms of a session, outside the live region so a refresh
 * never clears typed values. `data-status` lets `live-region.js` replace the section when the
 * session's state changes.
 */
export function actionForms(installation: InstallationRow, actions: InstallationActions): Html {
  const action = `/ui/installations/${encodeURIComponent(installation.id)}`;
  const showValidate = actions.mayValidate && VALIDATABLE.includes(installation.status);
  return html`<section id="actions" class="actions" data-status="${installation.status}" aria-label="Installation actions">
${actions.error ? html`<p class="error" role="alert" id="action-error">${actions.error}</p>` : ''}
${actions.mayComplete && installation.status === 'validated' ? completeForm(action, 'Complete installation', 'Every stage passed: completing makes the camera active and sends it its configuration.') : ''}
${showValidate ? validateForm(action, installation, actions) : ''}
${actions.mayComplete && installation.status === 'validation_failed' ? completeForm(action, 'Close as failed', 'Ends the session as failed and keeps the failing checks. Validate again instead to retry.') : ''}
</section>`;
}

function validateForm(action: string, installation: InstallationRow, actions: InstallationActions): Html {
  const title = installation.validationRuns > 0 ? 'Validate again' : 'Validate';
  return html`<form method="post" action="${action}" class="stack card" id="validate-form">
<h2>${title}</h2>
<input type="hidden" name="action" value="validate">
<label>Value on the meter now
<input name="expected_value" required inputmode="decimal" autocomplete="off" pattern="\\s*[0-9]+([.,][0-9]+)?\\s*" value="${actions.expectedValue}" aria-describedby="expected-value-help">
</label>
<p class="muted" id="expected-value-help">Read every digit, including the red ones after the decimal point, for example 1234.52.</p>
<label>Serial number on the meter plate <span class="muted">(optional)</span>
<input name="meter_serial" autocomplete="off" value="${actions.meterSerial}">
</label>
<button type="submit">${title}</button>
</form>`;
}

function completeForm(action: string, label: string, help: string): Html {
  return html`<form method="post" action="${action}" class="stack card" data-form="complete">
<input type="hidden" name="action" value="complete">
<p class="muted">${help}</p>
<button type="submit">${label}</button>
</form>`;
}
