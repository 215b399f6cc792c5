import type { Context } from 'hono';
import { html } from 'hono/html';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from 'pino';
import type { ApiEnv } from '../../http/context.ts';
import { HttpError } from '../../http/errors.ts';
import { renderPage } from '../layout.ts';

const TITLES: Partial<Record<number, string>> = {
  401: 'Sign in required',
  403: 'Not allowed',
  404: 'Not found',
  500: 'Something went wrong',
};

/**
 * Builds the dashboard's error handler. The API's errors become an HTML page with the same
 * status and message. Unexpected errors are logged and shown as 500 without details.
 */
export function renderErrorPage(logger: Logger) {
  return (error: Error, c: Context<ApiEnv>) => {
    const principal = c.get('principal') ?? null;
    let status: ContentfulStatusCode = 500;
    let detail = 'The page could not be built. The error was logged; try again in a moment.';

    if (error instanceof HttpError) {
      status = error.status;
      detail = error.detail;
    } else if (error instanceof HTTPException && error.status === 403) {
      // hono's CSRF check rejects form posts from other sites.
      status = 403;
      detail = 'This form was sent from another site, or without the headers browsers add. Open the dashboard and send it from there.';
    } else if (error instanceof HTTPException) {
      status = error.status;
      detail = error.message || 'The request was rejected.';
    } else {
      logger.error({ err: error, method: c.req.method, path: c.req.path, userId: principal?.user.id }, 'dashboard page failed');
    }

    const title = TITLES[status] ?? 'Request failed';
    const body = html`<section class="card narrow">
<h1>${title}</h1>
<p>${detail}</p>
<p><a href="/">Back to the dashboard</a>${principal ? '' : html` · <a href="/login">Sign in</a>`}</p>
</section>`;
    return renderPage(c, { title, principal, body }, status);
  };
}
