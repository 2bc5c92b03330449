import type { FastifyError } from 'fastify';
import { isStorageError } from './plugins/storage-health';

/*
 * The JSON body (and status) of a failed request. A storage failure is a 503 whose message
 * tells the operator what to look at on the engine the server runs on: the data folder for
 * SQLite, the PostgreSQL server for KEEPWATCH_DATABASE_URL.
 */

export type StorageEngine = 'sqlite' | 'postgres';

export interface ErrorBody {
  status: number;
  body: { error: string; message: string };
}

/** What went wrong, short: the error's code, else its message (node-postgres's carry none). */
function reason(err: FastifyError): string {
  return typeof err.code === 'string' && err.code !== '' ? err.code : err.message;
}

export function storageUnavailableMessage(err: FastifyError, engine: StorageEngine): string {
  return engine === 'postgres'
    ? `the server could not write to PostgreSQL (${reason(err)}); nothing was changed. Check that the PostgreSQL server of KEEPWATCH_DATABASE_URL is running, reachable from this server and has free disk space, and try again`
    : `the server could not write to its data folder (${reason(err)}); nothing was changed. Free space in KEEPWATCH_DATA and try again`;
}

export function errorBody(err: FastifyError, engine: StorageEngine): ErrorBody {
  if (err.validation) return { status: 400, body: { error: 'bad_request', message: err.message } };
  if (isStorageError(err)) {
    // The store is full or failing: nothing was changed, and trying again later helps.
    return {
      status: 503,
      body: { error: 'storage_unavailable', message: storageUnavailableMessage(err, engine) },
    };
  }
  const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
  const message = status >= 500 ? 'internal server error' : err.message;
  return { status, body: { error: err.code ?? 'error', message } };
}
