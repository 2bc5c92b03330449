import { open, rename, unlink, type FileHandle } from 'node:fs/promises';

/*
 * The outbox's file on disk, and nothing else: appends that are durable when they resolve
 * (append + fdatasync) and whole-file replacements (temp file, fsync, atomic rename). The
 * line format is outbox-file.ts's; what to write and when is the Outbox's (outbox.ts).
 * Every method rejects on an I/O error (ENOSPC, EIO…); the Outbox retries.
 */
export class OutboxJournal {
  private fh: FileHandle | undefined;
  private fileBytes = 0;

  constructor(readonly path: string) {}

  /** Bytes in the file since its last replacement. */
  get bytes(): number {
    return this.fileBytes;
  }

  /** Appends and fdatasyncs; the file must have been written by replace() first. */
  async append(data: string): Promise<void> {
    if (!this.fh) throw new Error('outbox file is not open');
    await this.fh.appendFile(data);
    await this.fh.datasync();
    this.fileBytes += Buffer.byteLength(data);
  }

  /** The whole file becomes `body`: into a temp file, fsync, atomic rename, reopen to append. */
  async replace(body: string): Promise<void> {
    const tmp = `${this.path}.tmp`;
    try {
      const out = await open(tmp, 'w', 0o600);
      try {
        await out.writeFile(body);
        await out.sync();
      } finally {
        await out.close();
      }
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
    // From here the old file is replaced: the handle on it is of no further use.
    const old = this.fh;
    this.fh = undefined;
    await old?.close().catch(() => undefined);
    await rename(tmp, this.path);
    this.fh = await open(this.path, 'a', 0o600);
    this.fileBytes = Buffer.byteLength(body);
  }

  async close(): Promise<void> {
    await this.fh?.close().catch(() => undefined);
    this.fh = undefined;
  }
}
