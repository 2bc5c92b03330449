import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDatabaseUrl } from './storage/pg-url';
import { loadTls, type TlsConfig } from './tls-config';

/** Everything the server takes from its environment. The only module that reads process.env. */
export interface ServerConfig {
  port: number;
  /** Addresses to listen on; the first is the main listener. */
  hosts: string[];
  dataDir: string;
  /**
   * KEEPWATCH_DATABASE_URL (postgres://…): PostgreSQL instead of SQLite in dataDir. Checked for
   * shape here and for reachability at start (storage/pg-connect.ts); unset = SQLite.
   */
  databaseUrl?: string;
  /**
   * This server's id among the replicas sharing one PostgreSQL (KEEPWATCH_REPLICA_ID; only used
   * with databaseUrl). Unset there: made once and kept in <dataDir>/replica-id, so a restarted
   * server is the same replica (replicaIdFile says where).
   */
  replicaId?: string;
  replicaIdFile?: string;
  /** Password for the first `admin` user; undefined → generated and printed once. */
  adminPassword?: string;
  /** Shared secret agents present in their hello. */
  agentToken: string;
  /**
   * Accept agentToken from agents that have no enrolled per-agent credential (labs, the demo).
   * Off unless KEEPWATCH_ALLOW_SHARED_AGENT_TOKEN=1: anyone holding the shared token can say
   * hello as any agent id, so only enrolled agents (bound to their node) connect by default.
   * Undefined = false.
   */
  allowSharedAgentToken?: boolean;
  /** Folder with the agent builds served at /api/v1/agent-dist (default apps/agent/dist). */
  agentDist?: string;
  webDist: string;
  logLevel: string;
  /**
   * Behind a reverse proxy (KEEPWATCH_TRUST_PROXY=1, or its addresses/CIDRs comma-separated):
   * X-Forwarded-For/-Proto/-Host count, so the session cookie gets Secure when the proxy
   * speaks https and rate limits see client IPs. Unset = trust nobody.
   */
  trustProxy?: boolean | string;
  /**
   * The panel's address as users and agents reach it (KEEPWATCH_PUBLIC_URL, e.g.
   * https://panel.example.com). Its host is accepted in the Host header.
   */
  publicUrl?: string;
  /**
   * More names accepted in the Host header (KEEPWATCH_ALLOWED_HOSTS, comma-separated; `*`
   * turns the check off). localhost, 127.0.0.1, ::1 and the listen addresses always are.
   */
  allowedHosts?: string[];
  /** Bearer token Prometheus may use on GET /metrics (KEEPWATCH_METRICS_TOKEN). */
  metricsToken?: string;
  /** CLOCK_SKEW threshold in ms (KEEPWATCH_CLOCK_SKEW_MS); undefined = 500. */
  clockSkewMs?: number;
  /**
   * The server's own TLS (KEEPWATCH_TLS_CERT / KEEPWATCH_TLS_KEY): https and wss on every
   * listen address. Unset = plain http (fine on loopback or behind the reverse proxy).
   */
  tls?: TlsConfig;
  /** History retention in days (KEEPWATCH_RETENTION_*_DAYS); unset fields use modules/history defaults. */
  retention?: RetentionDays;
  /** A cluster whose failover no drill proved within this many days is flagged stale (KEEPWATCH_DRILL_STALE_DAYS); default 30. */
  drillStaleDays?: number;
}

export interface RetentionDays {
  raw?: number;
  minute?: number;
  hour?: number;
  transitions?: number;
}

const RETENTION_KEYS = ['raw', 'minute', 'hour', 'transitions'] as const;

function parseRetention(env: Env): RetentionDays {
  const out: RetentionDays = {};
  for (const key of RETENTION_KEYS) {
    const name = `KEEPWATCH_RETENTION_${key.toUpperCase()}_DAYS`;
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const days = Number(raw);
    if (!Number.isFinite(days) || days <= 0)
      throw new Error(`${name} must be a positive number of days, got ${JSON.stringify(raw)}`);
    out[key] = days;
  }
  return out;
}

export type Env = Record<string, string | undefined>;

// Works from src/ (tsx, vitest) and from dist/server.mjs: both sit two levels under the repo.
function defaultWebDist(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return resolve(here, '..', '..', 'web', 'dist');
}

/** The agent's build folder (apps/agent/dist), served by modules/agent-dist. */
export function defaultAgentDist(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return resolve(here, '..', '..', 'agent', 'dist');
}

function parsePort(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 8470;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`KEEPWATCH_PORT must be a port number, got ${JSON.stringify(raw)}`);
  }
  return port;
}

/** Reads <dataDir>/agent-token, or creates it (0600) so agents keep working across restarts. */
export function loadOrCreateAgentToken(dataDir: string): string {
  const file = join(dataDir, 'agent-token');
  if (existsSync(file)) {
    const token = readFileSync(file, 'utf8').trim();
    if (token) return token;
  }
  mkdirSync(dataDir, { recursive: true });
  const token = randomBytes(24).toString('base64url');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return token;
}

const REPLICA_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** KEEPWATCH_REPLICA_ID, checked; or (on PostgreSQL) the id kept in <dataDir>/replica-id. */
function replicaIdFrom(
  raw: string | undefined,
  dataDir: string,
  onPostgres: boolean,
): { replicaId?: string; replicaIdFile?: string } {
  if (raw) {
    if (!REPLICA_ID.test(raw))
      throw new Error(
        `KEEPWATCH_REPLICA_ID must be 1-64 letters, digits, '.', '_' or '-', got ${JSON.stringify(raw)}`,
      );
    return { replicaId: raw };
  }
  if (!onPostgres) return {};
  const file = join(dataDir, 'replica-id');
  if (existsSync(file)) {
    const kept = readFileSync(file, 'utf8').trim();
    if (REPLICA_ID.test(kept)) return { replicaId: kept, replicaIdFile: file };
  }
  const host = hostname()
    .replace(/[^A-Za-z0-9._-]/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 40);
  const made = `${host || 'keepwatch'}-${randomBytes(4).toString('hex')}`;
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, `${made}\n`);
  return { replicaId: made, replicaIdFile: file };
}

function trustProxyFrom(raw: string | undefined): { trustProxy?: boolean | string } {
  if (!raw || raw === '0' || raw === 'false') return {};
  return { trustProxy: raw === '1' || raw === 'true' ? true : raw };
}

function parsePublicUrl(raw: string | undefined): { publicUrl?: string } {
  if (!raw) return {};
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`KEEPWATCH_PUBLIC_URL must be a URL, got ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Error(`KEEPWATCH_PUBLIC_URL must be http:// or https://, got ${JSON.stringify(raw)}`);
  return { publicUrl: url.origin };
}

const list = (raw: string | undefined): string[] =>
  (raw ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);

export function loadConfig(env: Env = process.env): ServerConfig {
  const dataDir = resolve(env['KEEPWATCH_DATA'] || './data');
  const hosts = list(env['KEEPWATCH_HOST'] || '127.0.0.1');
  const adminPassword = env['KEEPWATCH_ADMIN_PASSWORD'] || undefined;
  const tls = loadTls(env);
  const databaseUrl = env['KEEPWATCH_DATABASE_URL']
    ? parseDatabaseUrl(env['KEEPWATCH_DATABASE_URL'])
    : undefined;
  return {
    port: parsePort(env['KEEPWATCH_PORT']),
    hosts: hosts.length > 0 ? hosts : ['127.0.0.1'],
    dataDir,
    ...(databaseUrl !== undefined && { databaseUrl }),
    ...replicaIdFrom(env['KEEPWATCH_REPLICA_ID'], dataDir, databaseUrl !== undefined),
    ...(adminPassword !== undefined && { adminPassword }),
    agentToken: env['KEEPWATCH_AGENT_TOKEN'] || loadOrCreateAgentToken(dataDir),
    allowSharedAgentToken: ['1', 'true', 'on', 'yes'].includes(
      (env['KEEPWATCH_ALLOW_SHARED_AGENT_TOKEN'] ?? '').toLowerCase(),
    ),
    agentDist: resolve(env['KEEPWATCH_AGENT_DIST'] || defaultAgentDist()),
    webDist: resolve(env['KEEPWATCH_WEB_DIST'] || defaultWebDist()),
    logLevel: env['KEEPWATCH_LOG_LEVEL'] || 'info',
    ...trustProxyFrom(env['KEEPWATCH_TRUST_PROXY']),
    ...parsePublicUrl(env['KEEPWATCH_PUBLIC_URL']),
    allowedHosts: list(env['KEEPWATCH_ALLOWED_HOSTS']),
    ...(env['KEEPWATCH_METRICS_TOKEN'] ? { metricsToken: env['KEEPWATCH_METRICS_TOKEN'] } : {}),
    ...(Number(env['KEEPWATCH_CLOCK_SKEW_MS']) > 0
      ? { clockSkewMs: Number(env['KEEPWATCH_CLOCK_SKEW_MS']) }
      : {}),
    retention: parseRetention(env),
    ...(tls && { tls }),
    ...(Number(env['KEEPWATCH_DRILL_STALE_DAYS']) > 0
      ? { drillStaleDays: Number(env['KEEPWATCH_DRILL_STALE_DAYS']) }
      : {}),
  };
}
