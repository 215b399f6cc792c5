import type { Logger } from 'pino';
import type { UsersRepo } from './users.repo.ts';
import { hashPassword } from './passwords.ts';
import { HttpError } from '../http/errors.ts';
import { MIN_PASSWORD_LENGTH } from '../organizations/schemas.ts';

/**
 * Creates the super admin `username` when no user of that name exists. An existing user keeps
 * their password (so a restart with the same environment changes nothing) but is made super
 * admin. Returns whether a user was created.
 */
export async function ensureSuperAdmin(
  users: UsersRepo,
  admin: { username: string; password: string },
  options: { hashCost: number; logger: Logger },
): Promise<boolean> {
  if (admin.password.length < MIN_PASSWORD_LENGTH) {
    throw new RangeError(`The super admin password is ${admin.password.length} characters long: use at least ${MIN_PASSWORD_LENGTH}.`);
  }

  const existing = await users.findByUsername(admin.username);
  if (existing) {
    if (existing.platformRole !== 'super_admin') {
      await users.setPlatformRole(existing.id, 'super_admin');
      options.logger.info({ username: admin.username }, 'existing user made super admin');
    }
    return false;
  }

  const passwordHash = await hashPassword(admin.password, options.hashCost);
  try {
    await users.create({ username: admin.username, passwordHash, platformRole: 'super_admin' });
  } catch (error) {
    // Several nodes starting at once race for the same username; the one that lost keeps going.
    if (error instanceof HttpError && error.status === 409) return false;
    throw error;
  }
  options.logger.info({ username: admin.username }, 'super admin created');
  return true;
}
