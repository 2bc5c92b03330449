import { createServer, type Server } from 'node:net';
import { buildApp } from './app';
import { SchemaTooNewError } from './plugins/db-migrations';
import { StorageStartError } from './storage/storage-errors';
import { loadConfig } from './config';
import { runServiceCommand } from './service/commands';
import { startSdNotify } from './service/sd-notify';

/**
 * Connections the kernel queues before the server accepts them. Node's default, 511, is
 * overrun by a reconnect storm: under 10,000 agents (pnpm bench ingest) the kernel dropped
 * SYNs (TcpExtListenOverflows) while the server sat 60 % idle, and each dropped agent waited
 * out TCP's SYN retry (1, 3, 7, 15 … s): 110 s until all were in. The kernel caps this at
 * net.core.somaxconn (4096 on Debian 12).
 */
const LISTEN_BACKLOG = 4096;

function listenExtra(
  host: string,
  port: number,
  onConnection: (sock: import('node:net').Socket) => void,
): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer(onConnection);
    server.once('error', reject);
    server.listen({ port, host, backlog: LISTEN_BACKLOG }, () => resolve(server));
  });
}

/** Process entry: config from env, one app, one listener per KEEPWATCH_HOST address. */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const code = await runServiceCommand(
    process.argv.slice(2),
    config.dataDir,
    (l) => process.stdout.write(l),
    config.databaseUrl,
  );
  if (code !== undefined) process.exit(code);
  const app = await buildApp({ config });
  const [first = '127.0.0.1', ...others] = config.hosts;
  await app.listen({ port: config.port, host: first, backlog: LISTEN_BACKLOG });
  const port = (app.server.address() as { port: number } | null)?.port ?? config.port;
  // Extra addresses hand their sockets to the same HTTP server, so one app (and one set of
  // WebSocket clients) serves them all, e.g. 127.0.0.1 for the browser and 10.77.0.1 for the lab.
  const extra = await Promise.all(
    others.map((host) => listenExtra(host, port, (sock) => app.server.emit('connection', sock))),
  );
  const scheme = config.tls ? 'https' : 'http';
  for (const host of config.hosts) {
    const shown = host.includes(':') ? `[${host}]` : host;
    process.stdout.write(`Keepwatch listening on ${scheme}://${shown}:${port}/\n`);
  }
  if (config.tls) {
    process.stdout.write(
      `TLS certificate ${config.tls.certFile}: sha256 fingerprint ${config.tls.fingerprint}\n`,
    );
  }
  if (app.initialAdminPassword) {
    process.stdout.write(
      `First start: created user "admin" with password ${app.initialAdminPassword}\n` +
        'It is shown only this once; set KEEPWATCH_ADMIN_PASSWORD to choose your own.\n',
    );
  }

  // Under systemd (Type=notify): ready once every listener is up, then watchdog pings.
  const stopNotify = startSdNotify(process.env, (what, err) =>
    app.log.warn({ err, what }, 'systemd-notify failed'),
  );

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    stopNotify();
    for (const s of extra) s.close();
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        app.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(
    // A refused downgrade or an unusable database is an operator's situation, not a bug: its
    // message alone is enough.
    `keepwatch server failed to start: ${
      err instanceof SchemaTooNewError || err instanceof StorageStartError
        ? err.message
        : err instanceof Error
          ? err.stack
          : String(err)
    }\n`,
  );
  process.exit(1);
});
