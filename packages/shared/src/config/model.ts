import { Type, type Static } from '@sinclair/typebox';
import { Strict } from '../protocol/strict';

/*
 * The cluster model: what an nginx + keepalived HA cluster is, independent of file syntax.
 * The renderers turn it into each host's keepalived.conf, health-check script and
 * nginx.conf; the importer builds it from observed files. Values land inside config files,
 * so the patterns below keep out what would break a file's syntax (quotes, braces, `;`,
 * comment characters, line breaks); `extra` lines are the operator's own and are checked
 * by `keepalived -t` / `nginx -t` like any edit.
 */

const Name = Type.String({ pattern: '^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,63}$' });
const HostName = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$' });
const IfName = Type.String({ pattern: '^[A-Za-z0-9_.:@-]{1,15}$' });
export const IPV4_PATTERN =
  '^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$';
const Ipv4 = Type.String({ pattern: IPV4_PATTERN });
const Path = Type.String({ pattern: '^/[A-Za-z0-9_./@+:=,-]*$', maxLength: 1024 });
/** A plain word for a config file: no spaces, quotes, braces, `;`, `#` or `!`. */
const Word = Type.String({ pattern: '^[^\\s"\'{};#!\\\\]{1,256}$' });
/** nginx time: 100ms, 5s, 1m … */
const Duration = Type.String({ pattern: '^[0-9]{1,6}(ms|s|m|h|d)?$' });
/** Raw lines added as written (keepalived: one statement each; nginx: directives or blocks). */
const Extra = Type.Array(Type.String({ maxLength: 4096 }), { maxItems: 256 });
const Argv = Type.Array(Type.String({ pattern: '^[^\\s"\'\\\\]{1,1024}$' }), {
  minItems: 1,
  maxItems: 32,
});

export const VirtualAddressModel = Strict({
  address: Ipv4,
  /** keepalived's default is /32. */
  prefix: Type.Integer({ minimum: 0, maximum: 32 }),
  /** Default: the instance's interface. */
  dev: Type.Optional(IfName),
  label: Type.Optional(IfName),
});
export type VirtualAddressModel = Static<typeof VirtualAddressModel>;

export const InstancePriority = Strict({
  /** A load balancer's `name`. */
  host: HostName,
  priority: Type.Integer({ minimum: 1, maximum: 255 }),
});

export const VrrpInstanceModel = Strict({
  name: Name,
  vrid: Type.Integer({ minimum: 1, maximum: 255 }),
  /** Default: each load balancer's interface. */
  interface: Type.Optional(IfName),
  /** Seconds; whole seconds with VRRPv2, 0.01-255 with v3. */
  advertInt: Type.Number({ minimum: 0.01, maximum: 255 }),
  vips: Type.Array(VirtualAddressModel, { minItems: 1, maxItems: 64 }),
  /** One entry per load balancer; the highest is the MASTER (`state MASTER`). */
  priorities: Type.Array(InstancePriority, { minItems: 1, maxItems: 16 }),
  /** false renders `nopreempt` and `state BACKUP` everywhere (keepalived's requirement). */
  preempt: Type.Boolean(),
  /** Seconds a starting MASTER waits before it preempts; only with `preempt`, renders state BACKUP. */
  preemptDelay: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
  auth: Type.Optional(
    Strict({
      type: Type.Union([Type.Literal('PASS'), Type.Literal('AH')]),
      /** keepalived uses the first 8 characters. */
      pass: Type.String({ pattern: '^[^\\s"\'{}#!\\\\]{1,8}$' }),
    }),
  ),
  /** Adverts to the other load balancers' addresses instead of multicast. */
  unicast: Type.Boolean(),
  extra: Type.Optional(Extra),
});
export type VrrpInstanceModel = Static<typeof VrrpInstanceModel>;

export const LoadBalancerModel = Strict({
  /** The agent's node name. */
  name: HostName,
  address: Ipv4,
  /** Carries VRRP and the VIPs. */
  interface: IfName,
  routerId: Type.Optional(Word),
  keepalived: Type.Optional(
    Strict({
      /** Top-level `instance NAME` + data_use_instance: several keepalived on one machine. */
      instance: Type.Optional(Name),
      /** vrrp_notify_fifo the agent reads (default /run/keepalived/vrrp_notify.fifo). */
      notifyFifo: Type.Optional(Path),
      /** This host's fast-path file, when not the cluster's `fastPath.file`. */
      fastPathFile: Type.Optional(Path),
    }),
  ),
  nginx: Type.Optional(
    Strict({
      pidFile: Type.Optional(Path),
      errorLog: Type.Optional(Path),
      accessLog: Type.Optional(Path),
      /** Holds the five *_temp_path folders (client_body, proxy, fastcgi, uwsgi, scgi). */
      tempDir: Type.Optional(Path),
    }),
  ),
});
export type LoadBalancerModel = Static<typeof LoadBalancerModel>;

/** How keepalived runs the nginx check. */
export const CheckScriptModel = Type.Union([
  /** curl straight from keepalived: no file to install, no restart attempt. */
  Strict({ kind: Type.Literal('curl'), curl: Path }),
  /** An existing check kept as written (imported): keepalived runs it as is. */
  Strict({
    kind: Type.Literal('command'),
    command: Type.String({ pattern: '^[^"\n{}#!]{1,1024}$' }),
  }),
  /**
   * The classic script (render-check-script.ts) at `path`: it tries to start nginx again
   * with `restart` before it reports failure. Installed by the host's owner, not pushed:
   * a server that could rewrite a script keepalived runs as root would own the host.
   */
  Strict({
    kind: Type.Literal('file'),
    path: Path,
    restart: Type.Optional(Argv),
    curl: Type.Optional(Path),
  }),
]);
export type CheckScriptModel = Static<typeof CheckScriptModel>;

export const HealthCheckModel = Strict({
  name: Name,
  /** nginx answers it itself (not proxied): a backend outage must not fail over the LBs. */
  url: Type.String({ pattern: '^http://[A-Za-z0-9.:\\[\\]-]+(/[A-Za-z0-9_./-]*)?$' }),
  /** keepalived runs a vrrp_script at most once a second: whole seconds only. */
  interval: Type.Integer({ minimum: 1, maximum: 4294 }),
  timeout: Type.Integer({ minimum: 1, maximum: 60 }),
  fall: Type.Integer({ minimum: 1, maximum: 100 }),
  rise: Type.Integer({ minimum: 1, maximum: 100 }),
  /** Added to the priority while the check fails (0: FAULT instead). */
  weight: Type.Integer({ minimum: -253, maximum: 253 }),
  script: CheckScriptModel,
});
export type HealthCheckModel = Static<typeof HealthCheckModel>;

/**
 * The agent's fast path: it watches nginx every ≤ 100 ms and writes 1 (down) or 0 into
 * `file`; keepalived reads it through inotify at once (keepalived-lab addendum 10).
 */
export const FastPathModel = Strict({
  name: Name,
  file: Path,
  /** 0: a 1 in the file puts the instance in FAULT (it sends priority 0: fastest takeover). */
  weight: Type.Integer({ minimum: -253, maximum: 253 }),
});
export type FastPathModel = Static<typeof FastPathModel>;

export const UpstreamServerModel = Strict({
  host: Type.String({ pattern: '^[A-Za-z0-9.:\\[\\]-]{1,253}$' }),
  port: Type.Integer({ minimum: 1, maximum: 65535 }),
  weight: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  maxFails: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
  failTimeout: Type.Optional(Duration),
  backup: Type.Optional(Type.Boolean()),
  down: Type.Optional(Type.Boolean()),
});
export type UpstreamServerModel = Static<typeof UpstreamServerModel>;

export const UpstreamModel = Strict({
  name: Name,
  method: Type.Optional(
    Type.Union([Type.Literal('least_conn'), Type.Literal('ip_hash'), Type.Literal('random')]),
  ),
  keepalive: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
  servers: Type.Array(UpstreamServerModel, { minItems: 1, maxItems: 256 }),
});
export type UpstreamModel = Static<typeof UpstreamModel>;

export const NEXT_UPSTREAM = [
  'error',
  'timeout',
  'invalid_header',
  'http_500',
  'http_502',
  'http_503',
  'http_504',
  'http_403',
  'http_404',
  'http_429',
  'non_idempotent',
  'off',
] as const;

export const ProxyModel = Strict({
  connectTimeout: Type.Optional(Duration),
  readTimeout: Type.Optional(Duration),
  sendTimeout: Type.Optional(Duration),
  nextUpstream: Type.Optional(
    Type.Array(Type.Union(NEXT_UPSTREAM.map((v) => Type.Literal(v))), {
      minItems: 1,
      maxItems: 12,
    }),
  ),
  nextUpstreamTries: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
  /** proxy_set_header NAME VALUE (VALUE may use nginx variables). */
  setHeaders: Type.Optional(Type.Array(Strict({ name: Word, value: Word }), { maxItems: 32 })),
});
export type ProxyModel = Static<typeof ProxyModel>;

export const LocationModel = Strict({
  path: Word,
  /** `location = /x` rather than a prefix match. */
  exact: Type.Optional(Type.Boolean()),
  /** proxy_pass http://<upstream>. */
  upstream: Type.Optional(Name),
  proxy: Type.Optional(ProxyModel),
  extra: Type.Optional(Extra),
});
export type LocationModel = Static<typeof LocationModel>;

export const ListenModel = Strict({
  /** Omitted: every address. The VIP here needs ip_nonlocal_bind on the BACKUP. */
  address: Type.Optional(Ipv4),
  port: Type.Integer({ minimum: 1, maximum: 65535 }),
  defaultServer: Type.Optional(Type.Boolean()),
});

export const ServerModel = Strict({
  /** Plain listens; one with other parameters (ssl, http2, IPv6 …) is an `extra` line. */
  listen: Type.Array(ListenModel, { maxItems: 16 }),
  serverNames: Type.Array(Word, { maxItems: 32 }),
  /** `location = <path> { return 200 "ok <host>" }`: what the check and the agent probe. */
  healthPath: Type.Optional(Word),
  /** stub_status for the agent, allowed from these addresses/CIDRs only. */
  status: Type.Optional(
    Strict({ path: Word, allow: Type.Array(Word, { minItems: 1, maxItems: 32 }) }),
  ),
  /** add_header X-Keepwatch-LB <host> always: which LB answered. */
  lbHeader: Type.Optional(Type.Boolean()),
  locations: Type.Array(LocationModel, { maxItems: 128 }),
  extra: Type.Optional(Extra),
});
export type ServerModel = Static<typeof ServerModel>;

export const NginxModel = Strict({
  user: Type.Optional(Word),
  workerProcesses: Type.Union([Type.Literal('auto'), Type.Integer({ minimum: 1, maximum: 1024 })]),
  workerConnections: Type.Integer({ minimum: 16, maximum: 1_000_000 }),
  /** Lines before `events` (load_module, include of modules, env …). */
  mainExtra: Type.Optional(Extra),
  keepaliveTimeout: Type.Optional(Duration),
  /** http-level proxy settings, inherited by every location. */
  proxy: ProxyModel,
  upstreams: Type.Array(UpstreamModel, { maxItems: 256 }),
  servers: Type.Array(ServerModel, { minItems: 1, maxItems: 256 }),
  httpExtra: Type.Optional(Extra),
});
export type NginxModel = Static<typeof NginxModel>;

export const ClusterModel = Strict({
  loadBalancers: Type.Array(LoadBalancerModel, { minItems: 1, maxItems: 16 }),
  vrrp: Strict({
    version: Type.Union([Type.Literal(2), Type.Literal(3)]),
    /** A MASTER that hears a higher priority advert answers first: no 38 s black hole. */
    higherPrioSendAdvert: Type.Boolean(),
    instances: Type.Array(VrrpInstanceModel, { minItems: 1, maxItems: 32 }),
    globalExtra: Type.Optional(Extra),
    /** Top-level statements the model does not describe (sync groups, LVS …), kept as written. */
    topExtra: Type.Optional(Extra),
  }),
  /** Absent: no vrrp_script (analysis HC-1 says what that costs). */
  healthCheck: Type.Optional(HealthCheckModel),
  fastPath: Type.Optional(FastPathModel),
  /** Absent: Keepwatch manages keepalived only on this cluster. */
  nginx: Type.Optional(NginxModel),
});
export type ClusterModel = Static<typeof ClusterModel>;
