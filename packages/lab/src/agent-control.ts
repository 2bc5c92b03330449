import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { ensureAgentBundle } from './agent-bundle';
import { buildAgentConfig, type AgentConfigOptions } from './agent-config';
import { spawnDetached } from './exec';
import type { LabContext } from './lab-context';
import { cmdlineOf, isAlive, signal, waitExit } from './procs';
import type { LabHost } from './topology';

/* Starting and stopping a real Keepwatch agent inside a lab host's namespace. */

export interface StartAgentOptions extends AgentConfigOptions {
  /** argv that runs the agent; `--config <file>` is appended. */
  command?: string[];
}

/** The agent as install.sh installs it where Node >= 20 is present: the bundle under node. */
export function defaultAgentCommand(repoRoot: string): string[] {
  return [process.execPath, ensureAgentBundle(repoRoot)];
}

export function writeAgentConfigFile(
  ctx: LabContext,
  host: LabHost,
  opts: AgentConfigOptions,
): string {
  const p = ctx.paths(host);
  const config = buildAgentConfig(ctx.topo, host, p, opts);
  mkdirSync(p.agentState, { recursive: true, mode: 0o700 });
  // The file holds the agent token: readable by root only.
  writeFileSync(p.agentConfig, JSON.stringify(config, null, 2) + '\n', { mode: 0o600 });
  return p.agentConfig;
}

function agentKey(host: LabHost): string {
  return `${host.name}/agent`;
}

/** The recorded agent pid, if that process is alive and still runs our config file. */
export function agentPid(ctx: LabContext, host: LabHost): number | undefined {
  const rec = ctx.state.read()?.processes[agentKey(host)];
  if (!rec || !isAlive(rec.pid)) return undefined;
  const argv = cmdlineOf(rec.pid);
  return argv?.includes(ctx.paths(host).agentConfig) ? rec.pid : undefined;
}

export async function startAgentProcess(
  ctx: LabContext,
  host: LabHost,
  opts: StartAgentOptions,
): Promise<number> {
  const existing = agentPid(ctx, host);
  if (existing !== undefined)
    throw new Error(`an agent already runs on ${host.name} (pid ${existing})`);
  const configFile = writeAgentConfigFile(ctx, host, opts);
  const command = opts.command ?? defaultAgentCommand(ctx.repoRoot);
  const entry = command.at(-1);
  if (!opts.command && entry && !existsSync(entry))
    throw new Error(`agent entry ${entry} not found`);
  if (!existsSync(`/run/netns/${host.ns}`))
    throw new Error(`lab is not up (no namespace ${host.ns})`);
  const argv = ['ip', 'netns', 'exec', host.ns, ...command, '--config', configFile];
  const pid = await spawnDetached(argv, { logFile: ctx.paths(host).agentLog, cwd: ctx.repoRoot });
  ctx.state.recordProcess(agentKey(host), { pid, argv, startedAt: new Date().toISOString() });
  ctx.log(`${host.name}: agent started (pid ${pid})`);
  return pid;
}

export async function stopAgentProcess(
  ctx: LabContext,
  host: LabHost,
  sig: NodeJS.Signals = 'SIGTERM',
): Promise<void> {
  const pid = agentPid(ctx, host);
  if (pid !== undefined) {
    signal(pid, sig);
    const left = await waitExit([pid], 5000);
    if (left.length > 0) {
      signal(pid, 'SIGKILL');
      await waitExit([pid], 2000);
    }
    ctx.log(`${host.name}: agent stopped (${sig})`);
  }
  ctx.state.forgetProcess(agentKey(host));
}
