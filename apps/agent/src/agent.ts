import type { AgentConfig, AgentHello } from '@keepwatch/shared';
import { PROTOCOL_VERSION } from '@keepwatch/shared';
import { Connection } from './connection';
import { Controller } from './controller';
import { run, type ExecFn } from './exec';
import { gatherHostFacts } from './host-facts';
import { ProbeCollector } from './http-probe';
import { KeepalivedCollector } from './keepalived-collector';
import { createLogger, type Logger } from './log';
import type { Observation } from './observations';
import { Outbox } from './outbox';
import { sleep } from './timing';
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
  ];
}

export async function startAgent(config: AgentConfig, opts: StartAgentOptions = {}): Promise<RunningAgent> {
  const log = opts.log ?? createLogger();
  const exec = opts.exec ?? run;
  const ac = new AbortController();
  const outbox = await Outbox.open({ dir: config.stateDir, agentId: config.agentId, log: log.child('outbox') });
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
    const ka = new KeepalivedCollector({ config: config.keepalived, exec, log: log.child('keepalived'), emit });
    // Bounded: a wedged keepalived must not keep the agent from connecting.
    await Promise.race([ka.start(ac.signal), sleep(2500, ac.signal)]);
    parts.push(ka);
  }
  for (const service of ['nginx', 'tomcat'] as const) {
    const probe = config[service]?.probe;
    if (!probe) continue;
    const p = new ProbeCollector({ service, probe, log: log.child(service), emit });
    p.start(ac.signal);
    parts.push(p);
  }
  const connection = new Connection({
    url: config.server.url,
    outbox,
    log: log.child('connection'),
    hello,
    snapshot: () => controller.snapshot(),
  });
  connection.start(ac.signal);
  parts.push(connection);

  let stopping: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    log.info('stopping');
    ac.abort();
    await Promise.allSettled(parts.map((p) => p.stopped()));
    accepting = false;
    await outbox.close();
    log.info('stopped', { unacknowledged: outbox.size, lastSeq: outbox.lastSeq });
  };
  return { stop: () => (stopping ??= stop()) };
}
