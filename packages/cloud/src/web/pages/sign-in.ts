import type { Context, Hono } from 'hono';
import { html } from 'hono/html';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { checkLoginAttempt, recordLoginFailure, recordLoginSuccess } from '../../auth/login-failures.ts';
import { PasswordLogin } from '../../auth/login.ts';
import { tokenFormSchema } from '../../auth/schemas.ts';
import type { ApiEnv, AppDeps } from '../../http/context.ts';
import { clientAddress, rejectAttempt } from '../../http/rate-limit.ts';
import { sameOriginForms } from '../csrf.ts';
import { safeNextPath } from '../guard.ts';
import { renderPage, type Html } from '../layout.ts';
import { endSession, loadSession, startSession } from '../session.ts';

const credentialsSchema = tokenFormSchema.pick({ username: true, password: true });

/**
 * Adds the sign-in page (`GET /login`), the sign-in form post (`POST /login`, the same password
 * check, failed-login limit and token as `POST /token`) and sign-out (`POST /logout`, which
 * revokes the session token).
 */
export function registerSignIn(app: Hono<ApiEnv>, deps: AppDeps): void {
  const login = new PasswordLogin(deps.repos.users, deps.options.passwordHashCost);
  const logger = deps.logger.child({ module: 'dashboard' });

  app.get('/login', async (c) => {
    const next = safeNextPath(c.req.query('next'), c.req.url);
    if (await loadSession(c, deps)) return c.redirect(next, 303);

    const notice = c.req.query('signed_out') === '1' ? 'You are signed out.' : null;
    return renderSignIn(c, { next, notice });
  });

  app.post('/login', sameOriginForms(), async (c) => {
    const form = await c.req.parseBody();
    const next = safeNextPath(typeof form.next === 'string' ? form.next : undefined, c.req.url);
    const parsed = credentialsSchema.safeParse({ username: form.username, password: form.password });
    if (!parsed.success) return renderSignIn(c, { next, error: 'Enter a username and a password.' }, 401);

    // Same limit and buckets as `POST /token`. A throttled attempt is rejected before any password hashing.
    const { username, password } = parsed.data;
    const address = clientAddress(c, deps.options.trustedProxyHops);
    const decision = checkLoginAttempt(deps, username, address);
    if (!decision.allowed) {
      const rejection = rejectAttempt(decision, 'Too many failed sign-ins', logger, { username, address });
      for (const [name, value] of Object.entries(rejection.headers)) c.header(name, value);
      return renderSignIn(c, { next, username, error: `${rejection.detail}.` }, 429);
    }

    const user = await login.check(username, password);
    if (!user) {
      recordLoginFailure(deps, username, address);
      logger.info({ username, address }, 'dashboard sign-in failed');
      return renderSignIn(c, { next, username, error: 'Incorrect username or password.' }, 401);
    }

    recordLoginSuccess(deps, username, address);
    await startSession(c, deps, user);
    logger.info({ userId: user.id }, 'dashboard sign-in');
    return c.redirect(next, 303);
  });

  app.post('/logout', sameOriginForms(), async (c) => {
    const userId = await endSession(c, deps);
    if (userId !== null) logger.info({ userId }, 'dashboard sign-out');
    return c.redirect('/login?signed_out=1', 303);
  });
}

interface SignInFormOptions {
  next: string;
  username?: string;
  error?: string;
  notice?: string | null;
}

function renderSignIn(c: Context, options: SignInFormOptions, status: ContentfulStatusCode = 200): Response | Promise<Response> {
  return renderPage(c, { title: 'Sign in', principal: null, body: signInForm(options) }, status);
}

function signInForm(options: SignInFormOptions): Html {
  return html`<section class="card narrow">
<h1>Sign in</h1>
${options.notice ? html`<p class="notice" role="status">${options.notice}</p>` : ''}
${options.error ? html`<p class="error" role="alert">${options.error}</p>` : ''}
<form method="post" action="/login" class="stack">
<input type="hidden" name="next" value="${options.next}">
<label>Username <input name="username" autocomplete="username" required maxlength="150" value="${options.username ?? ''}" autofocus></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required maxlength="1024"></label>
<button type="submit">Sign in</button>
</form>
</section>`;
}
