import type { AppDeps } from '../http/context.ts';
import { TokenBucketLimiter } from '../http/rate-limit.ts';

const limiters = new WeakMap<AppDeps, TokenBucketLimiter>();

/**
 * Returns the failed-login limiter of the app built on `deps`, created on first use with
 * `options.rateLimits.loginFailures`. The API's `POST /token` and the dashboard's `POST /login`
 * share it, so failures on either route spend the same bucket and a lockout applies to both.
 * `POST /users/me/password` counts wrong current passwords in it too, per user.
 */
export function loginFailureLimiter(deps: AppDeps): TokenBucketLimiter {
  let limiter = limiters.get(deps);
  if (!limiter) {
    limiter = new TokenBucketLimiter(deps.options.rateLimits.loginFailures);
    limiters.set(deps, limiter);
  }
  return limiter;
}

/** Key of the failed-login bucket of one username from one client address. */
export function loginFailureKey(username: string, address: string): string {
  return JSON.stringify([username, address]);
}

/**
 * Key of the bucket of wrong current passwords of the signed-in user `userId`. It is a JSON
 * object, so it never equals the JSON array key of a username and address.
 */
export function passwordChangeFailureKey(userId: number): string {
  return JSON.stringify({ userId });
}
