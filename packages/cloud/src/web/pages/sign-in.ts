import type { Hono } from 'hono';
import { html } from 'hono/html';
import { PasswordLogin } from '../../auth/login.ts';
import { tokenFormSchema } from '../../auth/schemas.ts';
import type { ApiEnv, AppDeps } from '../../http/context.ts';
import { sameOriginForms } from '../csrf.ts';
import { safeNextPath } from '../guard.ts';
import { renderPage, type Html } from '../layout.ts';
import { endSession, loadSession, startSession } from '../session.ts';

const credentialsSchema = tokenFormSchema.pick({ username: true, password: true });

/**
 * Adds the sign-in page (`GET /login`), the sign-in form post (`POST /login`, the same password
 * check and token as `POST /token`) and sign-out (`POST /logout`).
 */
export function registerSignIn(app: Hono<ApiEnv>, deps: AppDeps): void {
  const login = new PasswordLogin(deps.repos.users, deps.options.passwordHashCost);
  const logger = deps.logger.child({ module: 'dashboard' });

  app.get('/login', async (c) => {
    const next = safeNextPath(c.req.query('next'));
    if (await loadSession(c, deps)) return c.redirect(next, 303);

    const notice = c.req.query('signed_out') === '1' ? 'You are signed out.' : null;
    return renderPage(c, { title: 'Sign in', principal: null, body: signInForm({ next, notice }) });
  });

  app.post('/login', sameOriginForms(), async (c) => {
    const form = await c.req.parseBody();
    const next = safeNextPath(typeof form.next === 'string' ? form.next : undefined);
    const parsed = credentialsSchema.safeParse({ username: form.username, password: form.password });
    if (!parsed.success) {
      return renderPage(c, { title: 'Sign in', principal: null, body: signInForm({ next, error: 'Enter a username and a password.' }) }, 401);
    }

    const user = await login.check(parsed.data.username, parsed.data.password);
    if (!user) {
      logger.info({ username: parsed.data.username }, 'dashboard sign-in failed');
      const body = signInForm({ next, username: parsed.data.username, error: 'Incorrect username or password.' });
      return renderPage(c, { title: 'Sign in', principal: null, body }, 401);
    }

    await startSession(c, deps, user);
    logger.info({ userId: user.id }, 'dashboard sign-in');
    return c.redirect(next, 303);
  });

  app.post('/logout', sameOriginForms(), (c) => {
    endSession(c);
    return c.redirect('/login?signed_out=1', 303);
  });
}

interface SignInFormOptions {
  next: string;
  username?: string;
  error?: string;
  notice?: string | null;
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
