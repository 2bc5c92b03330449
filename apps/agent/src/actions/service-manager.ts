import type { AgentConfig, ServiceName } from '@keepwatch/shared';
import type { Steps } from './steps';

/*
 * Starting and stopping services for drills, behind one interface: systemd units on real
 * hosts (`systemctl start|stop|is-active UNIT`), or argv commands from the host config
 * (the lab's own process control). Each call is recorded as a step.
 */

export interface ServiceManager {
  readonly kind: 'systemd' | 'commands';
  start(service: ServiceName, steps: Steps): Promise<boolean>;
  stop(service: ServiceName, steps: Steps): Promise<boolean>;
  /** true = active, false = inactive, undefined = unknown (no way to ask). */
  status(service: ServiceName, steps: Steps): Promise<boolean | undefined>;
}

type ManagerConfig = NonNullable<AgentConfig['serviceManager']>;

export class NoServiceManagerError extends Error {}

function systemdManager(
  units: Extract<ManagerConfig, { kind: 'systemd' }>['units'],
): ServiceManager {
  const unit = (s: ServiceName): string => {
    const u = units[s];
    if (!u)
      throw new NoServiceManagerError(
        `no systemd unit configured for ${s} (serviceManager.units.${s})`,
      );
    return u;
  };
  return {
    kind: 'systemd',
    async start(s, steps) {
      return (await steps.run(`start ${s}`, ['systemctl', 'start', unit(s)], { timeoutMs: 60_000 }))
        .ok;
    },
    async stop(s, steps) {
      return (await steps.run(`stop ${s}`, ['systemctl', 'stop', unit(s)], { timeoutMs: 60_000 }))
        .ok;
    },
    async status(s, steps) {
      // is-active exits 0 when active and 3 (or another non-zero) when not.
      const r = await steps.run(`status ${s}`, ['systemctl', 'is-active', unit(s)], {
        okCodes: [0, 3],
        timeoutMs: 10_000,
      });
      return r.result.code === 0 ? true : r.result.code === null ? undefined : false;
    },
  };
}

function commandsManager(
  commands: Extract<ManagerConfig, { kind: 'commands' }>['commands'],
): ServiceManager {
  const argv = (s: ServiceName, action: 'start' | 'stop'): string[] => {
    const c = commands[s];
    if (!c)
      throw new NoServiceManagerError(
        `no commands configured for ${s} (serviceManager.commands.${s})`,
      );
    return c[action];
  };
  return {
    kind: 'commands',
    async start(s, steps) {
      return (await steps.run(`start ${s}`, argv(s, 'start'), { timeoutMs: 90_000 })).ok;
    },
    async stop(s, steps) {
      return (await steps.run(`stop ${s}`, argv(s, 'stop'), { timeoutMs: 60_000 })).ok;
    },
    status() {
      return Promise.resolve(undefined);
    },
  };
}

export function createServiceManager(
  config: AgentConfig['serviceManager'],
): ServiceManager | undefined {
  if (!config) return undefined;
  return config.kind === 'systemd'
    ? systemdManager(config.units)
    : commandsManager(config.commands);
}
