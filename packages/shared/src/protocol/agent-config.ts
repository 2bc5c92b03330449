import { Type, type Static } from '@sinclair/typebox';
import { AgentId, NodeIdentity } from './common';

/*
 * The agent's own host config file (JSON). It is the only place that grants the agent
 * control: the server can never widen `control`.
 */

const HttpProbe = Type.Object({
  url: Type.String({ minLength: 1, description: 'http:// URL probed with GET; 2xx/3xx = healthy' }),
  intervalMs: Type.Integer({ minimum: 100, maximum: 60_000, default: 500 }),
  timeoutMs: Type.Integer({ minimum: 50, maximum: 30_000, default: 400 }),
});
export type HttpProbeConfig = Static<typeof HttpProbe>;

export const AgentConfig = Type.Object({
  /** Stable id of this agent; also the name of its outbox file. */
  agentId: AgentId,
  node: NodeIdentity,
  server: Type.Object({
    /** ws:// or wss:// base URL of the panel, e.g. ws://10.77.0.1:8470 */
    url: Type.String({ pattern: '^wss?://' }),
    /**
     * The other replicas of the panel (servers on one PostgreSQL), tried in turn when the
     * current one is unreachable; the same credential and trust (CA, fingerprint) apply.
     */
    replicas: Type.Optional(Type.Array(Type.String({ pattern: '^wss?://' }), { maxItems: 8 })),
    /** The per-agent credential (from `enroll`), or a shared lab token. */
    token: Type.String({ minLength: 1 }),
    /** PEM CA bundle to verify a wss:// server with (default: the system's). */
    caFile: Type.Optional(Type.String()),
    /** Pinned sha256 fingerprint of the server certificate ("AB:CD:…" or hex). */
    fingerprint: Type.Optional(Type.String()),
    /** Plain ws:// is refused unless this is true (labs, loopback). */
    allowInsecure: Type.Optional(Type.Boolean()),
  }),
  /** Folder for the durable outbox and other agent state. */
  stateDir: Type.String({ minLength: 1 }),
  keepalived: Type.Optional(
    Type.Object({
      binary: Type.String({ default: 'keepalived' }),
      /** The pid file of keepalived's parent process (-p). */
      pidFile: Type.String(),
      /** keepalived's tmp_dir ($TMPDIR of the daemon): where keepalived.json is written. */
      dumpDir: Type.String({ default: '/tmp' }),
      /** vrrp_notify_fifo (or notify_fifo) path from keepalived.conf. */
      fifo: Type.String(),
      /** keepalived.conf, for hashing and later config pushes. */
      configFile: Type.Optional(Type.String()),
      reconcileIntervalMs: Type.Integer({ minimum: 500, maximum: 600_000, default: 5000 }),
      /**
       * Programs a keepalived.conf pushed by the server may make keepalived run (vrrp_script
       * `script`, `notify*`, fifo scripts, checker commands): absolute paths. A command the
       * live file already runs stays allowed; any other is refused by config.apply.
       */
      allowedScripts: Type.Optional(
        Type.Array(Type.String({ pattern: '^/', maxLength: 1024 }), { maxItems: 256 }),
      ),
    }),
  ),
  nginx: Type.Optional(
    Type.Object({
      binary: Type.String({ default: 'nginx' }),
      configFile: Type.Optional(Type.String()),
      pidFile: Type.Optional(Type.String()),
      probe: HttpProbe,
      /**
       * How often the LB probes each upstream server of nginx.conf while all are healthy
       * (default 2000; every 1000 while any is not).
       */
      upstreamIntervalMs: Type.Optional(Type.Integer({ minimum: 500, maximum: 60_000 })),
      /**
       * How config.apply runs `nginx -t` on server-sent content: 'least' (default) keeps only
       * chown, dac_override and net_bind_service (setpriv, when the agent runs as root);
       * 'agent' runs it with the agent's own rights.
       */
      testPrivileges: Type.Optional(Type.Union([Type.Literal('least'), Type.Literal('agent')])),
      /**
       * The fast failover path: the agent checks nginx (a TCP connect to the probe URL's
       * host:port) every intervalMs and writes 1 (down) / 0 (up) to keepalived's track_file.
       */
      fastPath: Type.Optional(
        Type.Object({
          file: Type.String({ pattern: '^/' }),
          intervalMs: Type.Integer({ minimum: 10, maximum: 100, default: 100 }),
        }),
      ),
    }),
  ),
  tomcat: Type.Optional(
    Type.Object({
      pidFile: Type.Optional(Type.String()),
      probe: HttpProbe,
    }),
  ),
  /** Log files the agent may stream on request (lab); journald units on systemd hosts. */
  logs: Type.Optional(
    Type.Object({
      keepalived: Type.Optional(Type.String()),
      nginx: Type.Optional(Type.String()),
      tomcat: Type.Optional(Type.String()),
      /** Read these systemd units' journals instead of files (journalctl -u UNIT -f -o json). */
      journald: Type.Optional(Type.Boolean()),
    }),
  ),
  /**
   * How the agent starts and stops services for drills: systemd units on real hosts, or
   * argv commands (the lab's own process control). Only used when `control` allows it.
   */
  serviceManager: Type.Optional(
    Type.Union([
      Type.Object({
        kind: Type.Literal('systemd'),
        units: Type.Object({
          nginx: Type.Optional(Type.String()),
          keepalived: Type.Optional(Type.String()),
          tomcat: Type.Optional(Type.String()),
        }),
      }),
      Type.Object({
        kind: Type.Literal('commands'),
        /** argv per service and action, e.g. nginx.stop = ["pnpm","lab","service","lb1","nginx","stop"]. */
        commands: Type.Record(
          Type.String(),
          Type.Object({
            start: Type.Array(Type.String(), { minItems: 1 }),
            stop: Type.Array(Type.String(), { minItems: 1 }),
          }),
        ),
      }),
    ]),
  ),
  /** Closed set of what this host lets the panel do. Empty (default) = monitor-only. */
  control: Type.Array(Type.Union([Type.Literal('config'), Type.Literal('drills')]), {
    default: [],
    uniqueItems: true,
  }),
});
export type AgentConfig = Static<typeof AgentConfig>;
