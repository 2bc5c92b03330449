import { readFile } from 'node:fs/promises';
import { hostname, release } from 'node:os';
import type { AgentConfig, HostFacts } from '@keepwatch/shared';
import type { ExecFn } from './exec';
import { AGENT_VERSION } from './version';

/*
 * Facts for the hello frame. Each is best effort with a short timeout: a missing nginx
 * binary or a slow JVM start must not keep the agent from connecting.
 */

const clip = (s: string | undefined): string | undefined => {
  const t = s?.trim();
  return t ? t.slice(0, 128) : undefined;
};

export async function osPrettyName(path = '/etc/os-release'): Promise<string | undefined> {
  try {
    const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(await readFile(path, 'utf8'));
    return clip(m?.[1]);
  } catch {
    return undefined;
  }
}

/** First non-empty line of stderr (these tools print their version there), else stdout. */
async function versionLine(exec: ExecFn, argv: string[]): Promise<string | undefined> {
  const r = await exec(argv, { timeoutMs: 3000 });
  if (r.error !== undefined && r.code === null) return undefined;
  const text = `${r.stderr}\n${r.stdout}`;
  return clip(text.split('\n').find((l) => l.trim() !== ''));
}

export async function gatherHostFacts(config: AgentConfig, exec: ExecFn): Promise<HostFacts> {
  const [os, keepalivedVersion, nginxVersion, javaVersion] = await Promise.all([
    osPrettyName(),
    config.keepalived ? versionLine(exec, [config.keepalived.binary, '--version']) : undefined,
    config.nginx ? versionLine(exec, [config.nginx.binary, '-v']) : undefined,
    config.tomcat ? versionLine(exec, ['java', '-version']) : undefined,
  ]);
  const facts: HostFacts = {
    hostname: hostname().slice(0, 256),
    kernel: release(),
    agentVersion: AGENT_VERSION,
  };
  if (os) facts.os = os;
  if (keepalivedVersion) facts.keepalivedVersion = keepalivedVersion;
  if (nginxVersion) facts.nginxVersion = nginxVersion.replace(/^nginx version:\s*/, '');
  if (javaVersion) facts.javaVersion = javaVersion;
  return facts;
}
