import type { AppDeps } from '../http/context.ts';
import { TokenBucketLimiter, type Decision } from '../http/rate-limit.ts';

const limiters = new WeakMap<AppDeps, TokenBucketLimiter>();
const addressLimiters = new WeakMap<AppDeps, TokenBucketLimiter>();

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

/**
 * Returns the limiter of failed logins per client address, whatever the username, created on
 * first use with `options.rateLimits.loginFailuresPerAddress`. Without it one address could try
 * one password on many usernames, each attempt costing a password hash.
 */
function loginAddressLimiter(deps: AppDeps): TokenBucketLimiter {
  let limiter = addressLimiters.get(deps);
  if (!limiter) {
    limiter = new TokenBucketLimiter(deps.options.rateLimits.loginFailuresPerAddress);
    addressLimiters.set(deps, limiter);
  }
  return limiter;
}

/** Decides, before any password hashing, whether a login of `username` from `address` may be tried. */
export function checkLoginAttempt(deps: AppDeps, username: string, address: string): Decision {
  const byAddress = loginAddressLimiter(deps).check(address);
  if (!byAddress.allowed) return byAddress;
  return loginFailureLimiter(deps).check(loginFailureKey(username, address));
}

/** Counts a failed login against the username from that address and against the address. */
export function recordLoginFailure(deps: AppDeps, username: string, address: string): void {
  loginFailureLimiter(deps).charge(loginFailureKey(username, address));
  loginAddressLimiter(deps).charge(address);
}

/**
 * Forgets the failures of the username from that address. The address keeps its count, so one
 * valid account does not reset the limit for guesses at other usernames.
 */
export function recordLoginSuccess(deps: AppDeps, username: string, address: string): void {
  loginFailureLimiter(deps).reset(loginFailureKey(username, address));
}
