/** KEEPWATCH_DATABASE_URL: the URL shape checks, with no I/O (config.ts runs them at load). */

/** The URL with its password replaced by `***`, for messages and logs. */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '(not a URL)';
  }
}

/**
 * Checks that `raw` is a postgres:// (or postgresql://) URL naming a host or a socket folder
 * (`postgres:///keepwatch?host=/run/postgresql`); returns it unchanged. Throws a message naming the variable.
 */
export function parseDatabaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(
      'KEEPWATCH_DATABASE_URL must be a URL like postgres://user:password@host:5432/keepwatch, got something that is not a URL',
    );
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:')
    throw new Error(
      `KEEPWATCH_DATABASE_URL must start with postgres:// (only PostgreSQL is supported; unset it for SQLite in KEEPWATCH_DATA), got ${url.protocol}//`,
    );
  if (!url.hostname && !url.searchParams.get('host'))
    throw new Error(
      `KEEPWATCH_DATABASE_URL names no host: ${redactUrl(raw)} (write postgres://user@host/db, or postgres:///db?host=/socket/folder)`,
    );
  return raw;
}
