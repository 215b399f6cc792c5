/** Schemes a database URL may start with: PostgreSQL, or a SQLite file given as a URL. */
const POSTGRES_SCHEME = /^postgres(ql)?:\/\//i;
const SQLITE_SCHEME = /^(sqlite|file):/i;
/** `scheme://` at the start of a value, as in `mysql://host/db`. */
const ANY_SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

export type Dialect = 'sqlite' | 'pg';

export function dialectOf(url: string): Dialect {
  return POSTGRES_SCHEME.test(url) ? 'pg' : 'sqlite';
}

/**
 * Replaces the password of a URL with `***`, for logs and error messages. A value that does not
 * parse as a URL still has any `user:password@` part masked.
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, '$1:***@');
  }
}

/**
 * Returns why `url` cannot name a database, or null when it can: a `postgres://` or
 * `postgresql://` URL that parses, or a SQLite file path (`:memory:`, `sqlite:` and `file:`
 * prefixes included). Any other `scheme://` would otherwise become a file path.
 */
export function databaseUrlProblem(url: string): string | null {
  if (POSTGRES_SCHEME.test(url)) {
    if (URL.canParse(url)) return null;
    return 'it is not a valid URL: use postgres://user:password@host:5432/database (percent-encode special characters in the password)';
  }

  const scheme = ANY_SCHEME.exec(url)?.[1];
  if (scheme === undefined || SQLITE_SCHEME.test(url)) return null;
  return `${scheme}:// is not supported: use a postgres:// or postgresql:// URL for PostgreSQL, or a file path for SQLite`;
}
