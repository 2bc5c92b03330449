export { buildApp, type BuildAppOptions } from './app';
export { loadConfig, type ServerConfig, type Env } from './config';
// Throwaway PostgreSQL for tests (the lab's replica tests): not used by the server itself.
export { startPgCluster, type PgCluster } from './storage/pg-harness';
export { connectPostgres } from './storage/pg-connect';
