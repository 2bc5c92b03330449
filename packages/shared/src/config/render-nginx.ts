import type {
  ClusterModel,
  LoadBalancerModel,
  LocationModel,
  NginxModel,
  ProxyModel,
  ServerModel,
  UpstreamModel,
} from './model';
import type { RenderOptions } from './render-keepalived';

/*
 * nginx.conf for one load balancer of the model, as a pure function. Per-host paths (pid,
 * logs, the five temp paths) come from the load balancer entry, so several nginx can share
 * one machine (the lab). Proxy settings at http level are inherited by every location; a
 * location's own settings override them. `proxy_connect_timeout` matters: with nginx's 60 s
 * default a black-holed backend fails about half the requests (reference lab, case e).
 */

const TEMP_PATHS = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'] as const;

function indent(lines: string[], depth: number): string[] {
  const pad = '    '.repeat(depth);
  return lines.map((l) =>
    l === ''
      ? ''
      : l
          .split('\n')
          .map((x) => pad + x)
          .join('\n'),
  );
}

function proxyLines(p: ProxyModel | undefined): string[] {
  if (!p) return [];
  return [
    ...(p.connectTimeout ? [`proxy_connect_timeout ${p.connectTimeout};`] : []),
    ...(p.readTimeout ? [`proxy_read_timeout ${p.readTimeout};`] : []),
    ...(p.sendTimeout ? [`proxy_send_timeout ${p.sendTimeout};`] : []),
    ...(p.nextUpstream ? [`proxy_next_upstream ${p.nextUpstream.join(' ')};`] : []),
    ...(p.nextUpstreamTries !== undefined
      ? [`proxy_next_upstream_tries ${p.nextUpstreamTries};`]
      : []),
    ...(p.setHeaders ?? []).map((h) => `proxy_set_header ${h.name} ${h.value};`),
  ];
}

function upstreamBlock(u: UpstreamModel): string[] {
  const servers = u.servers.map((s) => {
    const params = [
      ...(s.weight !== undefined ? [`weight=${s.weight}`] : []),
      ...(s.maxFails !== undefined ? [`max_fails=${s.maxFails}`] : []),
      ...(s.failTimeout !== undefined ? [`fail_timeout=${s.failTimeout}`] : []),
      ...(s.backup ? ['backup'] : []),
      ...(s.down ? ['down'] : []),
    ];
    return `server ${[`${s.host}:${s.port}`, ...params].join(' ')};`;
  });
  return [
    `upstream ${u.name} {`,
    ...indent(
      [
        ...(u.method ? [`${u.method};`] : []),
        ...servers,
        ...(u.keepalive !== undefined ? [`keepalive ${u.keepalive};`] : []),
      ],
      1,
    ),
    '}',
  ];
}

function locationBlock(l: LocationModel): string[] {
  return [
    `location ${l.exact ? '= ' : ''}${l.path} {`,
    ...indent(
      [
        ...(l.upstream ? [`proxy_pass http://${l.upstream};`] : []),
        ...proxyLines(l.proxy),
        ...(l.extra ?? []),
      ],
      1,
    ),
    '}',
  ];
}

function serverBlock(s: ServerModel, lb: LoadBalancerModel): string[] {
  const listen = s.listen.map(
    (l) =>
      `listen ${l.address ? `${l.address}:${l.port}` : l.port}${l.defaultServer ? ' default_server' : ''};`,
  );
  const body: string[] = [
    ...listen,
    ...(s.serverNames.length > 0 ? [`server_name ${s.serverNames.join(' ')};`] : []),
    ...(s.lbHeader ? [`add_header X-Keepwatch-LB ${lb.name} always;`] : []),
    ...(s.extra ?? []),
  ];
  if (s.healthPath)
    body.push('', `location = ${s.healthPath} {`, `    return 200 "ok ${lb.name}\\n";`, '}');
  if (s.status)
    body.push(
      '',
      `location = ${s.status.path} {`,
      '    stub_status;',
      ...s.status.allow.map((a) => `    allow ${a};`),
      '    deny all;',
      '}',
    );
  for (const l of s.locations) body.push('', ...locationBlock(l));
  return ['server {', ...indent(body, 1), '}'];
}

function mainLines(n: NginxModel, lb: LoadBalancerModel): string[] {
  const paths = lb.nginx;
  return [
    ...(n.user ? [`user ${n.user};`] : []),
    `worker_processes ${n.workerProcesses};`,
    ...(paths?.pidFile ? [`pid ${paths.pidFile};`] : []),
    ...(paths?.errorLog ? [`error_log ${paths.errorLog} notice;`] : []),
    ...(n.mainExtra ?? []),
    '',
    'events {',
    `    worker_connections ${n.workerConnections};`,
    '}',
  ];
}

function httpLines(n: NginxModel, lb: LoadBalancerModel): string[] {
  const paths = lb.nginx;
  const body: string[] = [
    ...(n.httpExtra ?? []),
    ...(paths?.accessLog ? [`access_log ${paths.accessLog};`] : []),
    ...(paths?.tempDir ? TEMP_PATHS.map((t) => `${t}_temp_path ${paths.tempDir}/${t};`) : []),
    ...(n.keepaliveTimeout ? [`keepalive_timeout ${n.keepaliveTimeout};`] : []),
    ...proxyLines(n.proxy),
  ];
  for (const u of n.upstreams) body.push('', ...upstreamBlock(u));
  for (const s of n.servers) body.push('', ...serverBlock(s, lb));
  return ['http {', ...indent(body, 1), '}'];
}

/** nginx.conf of the load balancer named `host` (the model must have an nginx section). */
export function renderNginxConf(
  model: ClusterModel,
  host: string,
  opts: RenderOptions = {},
): string {
  const lb = model.loadBalancers.find((l) => l.name === host);
  if (!lb) throw new Error(`no load balancer named ${JSON.stringify(host)} in the model`);
  if (!model.nginx) throw new Error('the model has no nginx section: nothing to render');
  const lines = [
    ...(opts.header ?? []).map((h) => `# ${h}`),
    ...mainLines(model.nginx, lb),
    '',
    ...httpLines(model.nginx, lb),
  ];
  return lines.join('\n') + '\n';
}

/** The folders nginx needs before it starts with this config (temp paths). */
export function nginxTempDirs(model: ClusterModel, host: string): string[] {
  const dir = model.loadBalancers.find((l) => l.name === host)?.nginx?.tempDir;
  return dir ? TEMP_PATHS.map((t) => `${dir}/${t}`) : [];
}
