import { join, resolve } from 'node:path';
import { backupDatabase, restoreDatabase } from './backup';

/*
 * The server bundle's maintenance commands, run beside (backup) or instead of (restore) the
 * service: `node server.mjs backup <file>`, `node server.mjs restore <file>`. They read the
 * same KEEPWATCH_DATA as the server.
 */

export const USAGE = `usage: server.mjs                  run the server
       server.mjs backup <file>    copy the live database to <file> (the server may run)
       server.mjs restore <file>   put a backup in place (stop the server first)
`;

/** Runs a maintenance command; returns the exit code, or undefined when argv means "serve". */
export async function runServiceCommand(
  argv: readonly string[],
  dataDir: string,
  out: (line: string) => void,
): Promise<number | undefined> {
  const [command, file, ...extra] = argv;
  if (command === undefined || command === 'serve') return undefined;
  if (command === '--help' || command === 'help') {
    out(USAGE);
    return 0;
  }
  const dbPath = join(dataDir, 'keepwatch.db');
  if ((command !== 'backup' && command !== 'restore') || !file || extra.length > 0) {
    out(USAGE);
    return 2;
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
