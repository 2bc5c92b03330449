import { setMaxListeners } from 'node:events';
import type {
  AgentConfig,
  AgentHello,
  ConfigComponent,
  LogLines,
  StatsSample,
} from '@keepwatch/shared';
import {
  PROTOCOL_VERSION,
  agentAuthorization,
  parseKeepalivedConfig,
  parseUpstreams,
} from '@keepwatch/shared';
import { ActionHandler } from './actions/action-handler';
import { ConfigObserver, type ConfigTarget } from './config-observer';
import { Connection, type ServerRequest } from './connection';
import { Controller } from './controller';
import { run, type ExecFn } from './exec';
import { FastPath } from './fast-path';
import { gatherHostFacts } from './host-facts';
import { ProbeCollector } from './probe-collector';
import { KeepalivedCollector } from './keepalived-collector';
import { createLogger, type Logger } from './log';
import { LogStreamer } from './log-streamer';
import type { Emit, Observation } from './observations';
import { Outbox } from './outbox';
import { StatsCollector } from './stats-collector';
import { sleep } from './timing';
import { UpstreamCollector } from './upstream-collector';
import { VipCollector } from './vip-collector';

/*
 * Wires the parts: collectors -> controller -> outbox -> connection. Every part runs under
 * one AbortController; stop() aborts them all, waits for each, then flushes and closes the
 * outbox so nothing observed before the stop is lost.
 */

export interface StartAgentOptions {
  log?: Logger;
  /** Child-process runner (tests inject a fake). */
  exec?: ExecFn;
  /** TLS trust for the panel socket (tls-connect.ts transportOptions). */
  wsOptions?: import('./connection').ConnectionOptions['wsOptions'];
}

export interface RunningAgent {
  stop(): Promise<void>;
}

function observeList(config: AgentConfig): string[] {
  return [
    ...(config.keepalived ? ['keepalived'] : []),
    'vip',
    ...(config.nginx ? ['nginx'] : []),
    ...(config.tomcat ? ['tomcat'] : []),
    ...(config.nginx ? ['upstreams', 'stats'] : []),
    ...(configTargets(config).length > 0 ? ['config'] : []),
    ...(config.logs ? ['logs'] : []),
  ];
}

function configTargets(config: AgentConfig): ConfigTarget[] {
  const out: ConfigTarget[] = [];
  const ka = config.keepalived;
  if (ka?.configFile)
    out.push({
      component: 'keepalived',
      file: ka.configFile,
      testArgv: [ka.binary, '-t', '-f', ka.configFile],
    });
  const ng = config.nginx;
  if (ng?.configFile)
    out.push({
      component: 'nginx',
      file: ng.configFile,
      testArgv: [ng.binary, '-T', '-q', '-c', ng.configFile],
      dumps: true,
    });
  return out;
}

/** What a config file's content tells the other collectors: upstream servers, sync groups. */
function onConfigContent(emit: Emit, upstreams: UpstreamCollector | undefined) {
  return (component: ConfigComponent, content: string): void => {
    if (component === 'nginx')
      upstreams?.setServers(parseUpstreams(content).flatMap((u) => u.servers));
    else {
      const groups = parseKeepalivedConfig(content).syncGroups.map((g) => ({
        ...g,
        state: 'UNKNOWN' as const,
      }));
      emit({ kind: 'sync.groups', ts: Date.now(), groups });
    }
  };
}

export async function startAgent(
  config: AgentConfig,
  opts: StartAgentOptions = {},
): Promise<RunningAgent> {
  const log = opts.log ?? createLogger();
  const exec = opts.exec ?? run;
  const ac = new AbortController();
  // Every part listens on this one signal; more than Node's default of 10 is by design.
  setMaxListeners(64, ac.signal);
  const outbox = await Outbox.open({
    dir: config.stateDir,
    agentId: config.agentId,
    log: log.child('outbox'),
  });
  let accepting = true;
  const controller = new Controller((msg, ts) => {
    // Late callbacks from parts that are shutting down must not touch a closed outbox.
    if (accepting) outbox.append(msg, ts);
  }, log.child('controller'));
  const emit = (o: Observation): void => controller.observe(o);

  const facts = await gatherHostFacts(config, exec);
  log.info('starting', { agentId: config.agentId, node: config.node.name, ...facts });
  const hello = (): AgentHello => ({
    type: 'hello',
    protocol: PROTOCOL_VERSION,
    agentId: config.agentId,
    token: config.server.token,
    node: config.node,
    facts,
    capabilities: { observe: observeList(config), control: [...config.control] },
  });

  const vip = new VipCollector({ exec, log: log.child('vip'), emit });
  await vip.start(ac.signal);
  const parts: Array<{ stopped(): Promise<void> }> = [vip];
  if (config.keepalived) {
    const ka = new KeepalivedCollector({
      config: config.keepalived,
      exec,
      log: log.child('keepalived'),
      emit,
    });
    // Bounded: a wedged keepalived must not keep the agent from connecting.
    await Promise.race([ka.start(ac.signal), sleep(2500, ac.signal)]);
    parts.push(ka);
  }
  const upstreams = config.nginx
    ? new UpstreamCollector({
        emit,
        ...(config.nginx.upstreamIntervalMs !== undefined && {
          intervalMs: config.nginx.upstreamIntervalMs,
        }),
      })
    : undefined;
  const targets = configTargets(config);
  if (targets.length > 0) {
    const observer = new ConfigObserver({
      targets,
      exec,
      log: log.child('config'),
      emit,
      onContent: onConfigContent(emit, upstreams),
    });
    await Promise.race([observer.start(ac.signal), sleep(3000, ac.signal)]);
    parts.push(observer);
  }
  if (upstreams) {
    upstreams.start(ac.signal);
    parts.push(upstreams);
  }
  const fp = config.nginx?.fastPath;
  if (config.nginx && fp) {
    const u = new URL(config.nginx.probe.url);
    const fast = new FastPath({
      file: fp.file,
      host: u.hostname,
      port: Number(u.port || (u.protocol === 'https:' ? 443 : 80)),
      intervalMs: fp.intervalMs,
      log: log.child('fast-path'),
    });
    fast.start(ac.signal);
    parts.push(fast);
  }
  for (const service of ['nginx', 'tomcat'] as const) {
    const probe = config[service]?.probe;
    if (!probe) continue;
    const p = new ProbeCollector({ service, probe, log: log.child(service), emit });
    p.start(ac.signal);
    parts.push(p);
  }
  // Called only after `connection` below exists (stats start after it; logs on request).
  const transient = (m: StatsSample | LogLines): void => void connection.sendTransient(m);
  const actions = new ActionHandler({
    config,
    exec,
    log: log.child('actions'),
    send: (m) => accepting && outbox.append(m),
    health: (s) => controller.health(s),
  });
  const logs = new LogStreamer({ config, log: log.child('logs'), send: transient });
  const onRequest = (msg: ServerRequest): void => {
    if (msg.type === 'logs.subscribe') return logs.subscribe(msg);
    if (msg.type === 'logs.unsubscribe') return logs.unsubscribe(msg.subscription);
    void actions
      .handle(msg)
      .catch((err: unknown) => log.error('action failed', { id: msg.id, err }));
  };
  const stats = new StatsCollector({
    ...(config.nginx
      ? { stubStatusUrl: new URL('/nginx_status', config.nginx.probe.url).href }
      : {}),
    send: transient,
    outboxError: () => outbox.condition.writeError,
  });
  // Said at once, not at the next 5 s sample: a full disk is worth knowing now.
  outbox.onCondition(() => stats.sendNow());
  const connection = new Connection({
    url: config.server.url,
    ...(config.server.replicas && { replicas: config.server.replicas }),
    // The server refuses the upgrade of a caller without an agent credential; the hello
    // carries the same credential again.
    wsOptions: {
      ...opts.wsOptions,
      headers: { authorization: agentAuthorization(config.agentId, config.server.token) },
    },
    outbox,
    log: log.child('connection'),
    hello,
    snapshot: () => controller.snapshot(),
    onRequest,
    onDisconnected: () => logs.stopAll(),
  });
  connection.start(ac.signal);
  parts.push(connection);
  stats.start(ac.signal);
  parts.push(stats);
  // A fault left by a previous run (crash, restart mid-drill) is undone now, not forgotten.
  const recovering = actions.drills
    .recoverLeftovers()
    .catch((err: unknown) => log.error('restoring leftover drill faults failed', { err }));

  let stopping: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    log.info('stopping');
    ac.abort();
    logs.stopAll();
    await recovering;
    actions.drills.dispose();
    await actions.probes.dispose();
    await Promise.allSettled(parts.map((p) => p.stopped()));
    accepting = false;
    await outbox.close();
    log.info('stopped', { unacknowledged: outbox.size, lastSeq: outbox.lastSeq });
  };
  return { stop: () => (stopping ??= stop()) };
}
