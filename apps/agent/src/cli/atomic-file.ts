import { randomBytes } from 'node:crypto';
import { chmod, chown, open, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * Writes `content` to a temp file in the same folder with `mode` from the start, fsyncs it
 * and renames it over `path`: readers see the old file or the new one, never half of one,
 * and a secret is never readable by others even for a moment.
 */
export async function writeFileAtomic(
  path: string,
  content: string,
  mode: number,
  owner?: { uid: number; gid: number },
): Promise<void> {
  const tmp = join(dirname(path), `.${randomBytes(6).toString('hex')}.tmp`);
  const fh = await open(tmp, 'wx', mode);
  try {
    await fh.writeFile(content);
    await fh.chmod(mode); // the umask may have narrowed or (never) widened it
    if (owner) await fh.chown(owner.uid, owner.gid);
    await fh.sync();
    await fh.close();
    await rename(tmp, path);
  } catch (err) {
    await fh.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw err;
  }
  await chmod(path, mode);
  if (owner) await chown(path, owner.uid, owner.gid);
}
