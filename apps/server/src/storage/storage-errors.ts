/**
 * The configured store cannot be used (unreachable, refused login, missing database, too old,
 * or not supported yet): the server refuses to start with this message. Never a fallback to
 * SQLite behind the operator's back.
 */
export class StorageStartError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StorageStartError';
  }
}
