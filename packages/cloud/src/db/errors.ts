/** Walks an error and its causes, so driver errors wrapped by drizzle are found too. */
function* errorChain(error: unknown): Generator<Record<string, unknown>> {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    yield current as Record<string, unknown>;
    current = (current as { cause?: unknown }).cause;
  }
}

/** Returns whether `error` is a unique-constraint or primary-key violation on either dialect. */
export function isUniqueViolation(error: unknown): boolean {
  for (const link of errorChain(error)) {
    if (link.code === '23505') return true;
    if (link.code === 'SQLITE_CONSTRAINT_UNIQUE' || link.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return true;
  }
  return false;
}

/** Returns whether `error` is a foreign-key violation on either dialect. */
export function isForeignKeyViolation(error: unknown): boolean {
  for (const link of errorChain(error)) {
    if (link.code === '23503' || link.code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return true;
  }
  return false;
}

/**
 * Returns whether `error` is a PostgreSQL data exception (SQLSTATE class 22): a value the column
 * can never hold, such as a NUL character in text (22021) or in JSON (22P05), or a number out of
 * range (22003). Retrying the same values fails the same way. SQLite stores such values, so it
 * raises none of these.
 */
export function isDataException(error: unknown): boolean {
  for (const link of errorChain(error)) {
    if (typeof link.code === 'string' && /^22[0-9A-Z]{3}$/.test(link.code)) return true;
  }
  return false;
}

/**
 * Describes a database error for a log line without its query parameters, which can hold
 * password hashes and credential hashes.
 */
export function describeDatabaseError(error: unknown): { message: string; code?: string } {
  const links = [...errorChain(error)];
  const driver = links.find((link) => typeof link.code === 'string') ?? links.at(-1);
  const message = typeof driver?.message === 'string' ? driver.message : String(error);
  return typeof driver?.code === 'string' ? { message, code: driver.code } : { message };
}

/**
 * The first connection to PostgreSQL failed: server stopped, wrong host, port, user, password or
 * database name. `url` has its password masked.
 */
export class DatabaseConnectionError extends Error {
  override name = 'DatabaseConnectionError';
  constructor(
    readonly url: string,
    cause: unknown,
  ) {
    super(`cannot connect to the PostgreSQL database at ${url}: ${connectionReason(cause)}. Check DATABASE_URL and that the server runs.`, { cause });
  }
}

/**
 * Describes why a connection failed. Node reports a refused connection to a name with several
 * addresses (localhost: ::1 and 127.0.0.1) as an AggregateError with an empty message.
 */
function connectionReason(error: unknown): string {
  if (error instanceof AggregateError && !error.message) {
    return error.errors.map((inner: unknown) => (inner as Error).message).join('; ') || 'connection failed';
  }
  const message = (error as Error | undefined)?.message || String(error);
  return message.replace(/\.$/, '');
}
