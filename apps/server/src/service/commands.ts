import { join, resolve } from 'node:path';
import { copySqliteToPostgres } from '../storage/copy-to-postgres';
import { parseDatabaseUrl, redactUrl } from '../storage/pg-url';
import { backupDatabase, backupRefusal, restoreDatabase } from './backup';

/*
 * The server bundle's maintenance commands, run beside (backup) or instead of (restore) the
 * service: `node server.mjs backup <file>`, `node server.mjs restore <file>`,
 * `node server.mjs copy-to-postgres [url]`. They read the same KEEPWATCH_DATA as the server.
 */

export const USAGE = `usage: server.mjs                  run the server
       server.mjs backup <file>    copy the live database to <file> (the server may run)
       server.mjs restore <file>   put a backup in place (stop the server first)
       server.mjs copy-to-postgres [url]
                                   copy the SQLite database into an empty PostgreSQL
                                   database (url, or KEEPWATCH_DATABASE_URL), then
                                   compare the row counts (stop the server first)
`;

/** Runs a maintenance command; returns the exit code, or undefined when argv means "serve". */
export async function runServiceCommand(
  argv: readonly string[],
  dataDir: string,
  out: (line: string) => void,
  databaseUrl?: string,
): Promise<number | undefined> {
  const [command, file, ...extra] = argv;
  if (command === undefined || command === 'serve') return undefined;
  if (command === '--help' || command === 'help') {
    out(USAGE);
    return 0;
  }
  const dbPath = join(dataDir, 'keepwatch.db');
  if (command === 'copy-to-postgres') return copyCommand(dbPath, file ?? databaseUrl, extra, out);
  if ((command !== 'backup' && command !== 'restore') || !file || extra.length > 0) {
    out(USAGE);
    return 2;
  }
  const refused = backupRefusal(command, databaseUrl);
  if (refused !== undefined) {
    out(`${refused}\n`);
    return 1;
  }
  if (command === 'backup') {
    const r = await backupDatabase(dbPath, resolve(file));
    out(`backed up ${dbPath} to ${r.file}: ${r.bytes} bytes, schema ${r.schema ?? 'empty'}\n`);
    return 0;
  }
  const r = restoreDatabase(resolve(file), dbPath);
  out(
    `restored ${dbPath} from ${resolve(file)} (schema ${r.schema ?? 'empty'})` +
      (r.previous ? `; the replaced database is kept as ${r.previous}` : '') +
      '\nStart the server again; it applies any newer migrations on start.\n',
  );
  return 0;
}

async function copyCommand(
  dbPath: string,
  url: string | undefined,
  extra: readonly string[],
  out: (line: string) => void,
): Promise<number> {
  if (!url || extra.length > 0) {
    out(`copy-to-postgres needs a postgres:// URL (argument or KEEPWATCH_DATABASE_URL)\n${USAGE}`);
    return 2;
  }
  try {
    parseDatabaseUrl(url);
    out(`copying ${dbPath} into ${redactUrl(url)}\n`);
    const r = await copySqliteToPostgres(dbPath, url, (line) => out(`  ${line}`));
    const rows = r.tables.reduce((n, t) => n + t.rows, 0);
    out(
      `copied ${rows} rows in ${r.tables.length} tables (schema ${r.schema}); row counts match ` +
        'table by table.\nSet KEEPWATCH_DATABASE_URL to this database to run on it.\n',
    );
    return 0;
  } catch (err) {
    out(`copy-to-postgres refused: ${(err as Error).message}\nNothing was written.\n`);
    return 1;
  }
}
