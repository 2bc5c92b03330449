import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HostName } from './topology';

/*
 * Where every lab file lives. One folder per host under the lab base dir, so two labs
 * (and two hosts of one lab) never share a pid file, log, temp dir or dump dir.
 */

export interface HostPaths {
  dir: string;
  keepalivedConf: string;
  keepalivedPid: string;
  keepalivedVrrpPid: string;
  keepalivedCheckPid: string;
  keepalivedLog: string;
  /** keepalived's TMPDIR: where its keepalived.json / .data / .stats dumps land. */
  keepalivedTmp: string;
  fifo: string;
  /** The agent's fast-path track_file (generated config only). */
  fastPathFile: string;
  nginxConf: string;
  nginxPid: string;
  nginxErrorLog: string;
  nginxAccessLog: string;
  nginxStdLog: string;
  nginxTemp: string;
  catalinaBase: string;
  tomcatPid: string;
  tomcatLog: string;
  agentConfig: string;
  agentState: string;
  agentLog: string;
}

export function hostPaths(baseDir: string, host: HostName): HostPaths {
  const dir = join(baseDir, host);
  return {
    dir,
    keepalivedConf: join(dir, 'keepalived.conf'),
    keepalivedPid: join(dir, 'keepalived.pid'),
    keepalivedVrrpPid: join(dir, 'keepalived_vrrp.pid'),
    keepalivedCheckPid: join(dir, 'keepalived_check.pid'),
    keepalivedLog: join(dir, 'keepalived.log'),
    keepalivedTmp: join(dir, 'keepalived-tmp'),
    fifo: join(dir, 'vrrp_notify.fifo'),
    fastPathFile: join(dir, 'nginx-down'),
    nginxConf: join(dir, 'nginx.conf'),
    nginxPid: join(dir, 'nginx.pid'),
    nginxErrorLog: join(dir, 'nginx_error.log'),
    nginxAccessLog: join(dir, 'nginx_access.log'),
    nginxStdLog: join(dir, 'nginx_stdout.log'),
    nginxTemp: join(dir, 'nginx-temp'),
    catalinaBase: join(dir, 'tomcat'),
    tomcatPid: join(dir, 'tomcat.pid'),
    tomcatLog: join(dir, 'tomcat.log'),
    agentConfig: join(dir, 'agent.json'),
    agentState: join(dir, 'agent-state'),
    agentLog: join(dir, 'agent.log'),
  };
}

/** The workspace root: the nearest folder above this file holding pnpm-workspace.yaml. */
export function findRepoRoot(start = dirname(fileURLToPath(import.meta.url))): string {
  let dir = resolve(start);
  for (let i = 0; i < 64; i++) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  throw new Error(`no pnpm-workspace.yaml above ${start}`);
}

export function defaultBaseDir(prefix: string): string {
  return join(findRepoRoot(), '.lab', prefix);
}
