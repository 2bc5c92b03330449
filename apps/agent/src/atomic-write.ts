import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/*
 * The one way the agent writes a system config file: a temp file in the same folder
 * (same filesystem, so rename is atomic), fsync, rename over the target, fsync the folder
 * so the rename itself survives a power cut. A reader sees the old file or the new one,
 * never a half-written one.
 */

export async function fsyncDir(dir: string): Promise<void> {
  const fd = await open(dir, 'r');
  try {
    await fd.sync();
  } finally {
    await fd.close();
  }
}

/** Writes content to a new file (exclusive create) and fsyncs it. */
export async function writeSynced(
  path: string,
  content: string | Buffer,
  mode: number,
): Promise<void> {
  const fd = await open(path, 'wx', mode);
  try {
    await fd.writeFile(content);
    await fd.chmod(mode); // the umask must not narrow the original's mode
    await fd.sync();
  } finally {
    await fd.close();
  }
}

/** Atomically replaces `target` with a file already written next to it. */
export async function renameSynced(from: string, target: string): Promise<void> {
  await rename(from, target);
  await fsyncDir(dirname(target));
}

export async function writeFileAtomic(
  target: string,
  content: string | Buffer,
  mode = 0o644,
): Promise<void> {
  const tmp = join(dirname(target), `.${basename(target)}.kw-${process.pid}-${Date.now()}.tmp`);
  try {
    await writeSynced(tmp, content, mode);
    await renameSynced(tmp, target);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}
