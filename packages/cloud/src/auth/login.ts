import type { UsersRepo, UserRow } from './users.repo.ts';
import { hashPassword, verifyPassword } from './passwords.ts';

/**
 * Checks a username and password. An unknown user costs the same hash as a wrong password, so
 * response times do not reveal which usernames exist.
 */
export class PasswordLogin {
  #decoy: Promise<string> | null = null;

  constructor(
    private readonly users: UsersRepo,
    private readonly hashCost: number,
  ) {}

  /** Returns the active user whose password matches, or null. */
  async check(username: string, password: string): Promise<UserRow | null> {
    const user = await this.users.findByUsername(username);
    if (!user || !user.isActive) {
      this.#decoy ??= hashPassword('decoy password', this.hashCost);
      await verifyPassword(password, await this.#decoy);
      return null;
    }
    return (await verifyPassword(password, user.passwordHash)) ? user : null;
  }
}
