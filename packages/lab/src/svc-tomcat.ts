import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { answers } from './http-probe';
import { spawnDetached } from './exec';
import type { LabContext, ServiceController, ServiceStatus } from './lab-context';
import { nsPids } from './netns';
import { isTomcat, matches, readPidFile, signal, terminate, waitExit } from './procs';
import {
  renderTomcatHealth,
  renderTomcatIndex,
  renderTomcatServerXml,
  TOMCAT_JAVA_OPTS,
} from './render-tomcat';
import type { LabHost } from './topology';
import { waitFor } from './wait';

/*
 * Debian's tomcat10 with a private CATALINA_BASE per backend. `catalina.sh run` execs
 * java, so the pid we spawn (through `ip netns exec`, which also execs) is the JVM's;
 * Tomcat writes no pid file in `run` mode, so the lab writes one for the agent.
 */

export const CATALINA_HOME = '/usr/share/tomcat10';
export const TOMCAT_CONF_SOURCE = '/etc/tomcat10';

export function tomcatController(ctx: LabContext, host: LabHost): ServiceController {
  const p = ctx.paths(host);
  const key = `${host.name}/tomcat`;
  const base = p.catalinaBase;
  const mine = isTomcat(base);

  const pids = async (): Promise<number[]> => {
    const fromFile = readPidFile(p.tomcatPid);
    const fromNs = (await nsPids(host.ns)).filter((pid) => matches(pid, mine));
    return [
      ...new Set([
        ...(fromFile !== undefined && matches(fromFile, mine) ? [fromFile] : []),
        ...fromNs,
      ]),
    ];
  };

  const status = async (): Promise<ServiceStatus> => {
    const all = await pids();
    return { running: all.length > 0, pids: all };
  };

  const prepareBase = (): void => {
    for (const d of ['logs', 'temp', 'work', 'webapps/ROOT'])
      mkdirSync(join(base, d), { recursive: true, mode: 0o755 });
    if (!existsSync(join(base, 'conf')))
      cpSync(TOMCAT_CONF_SOURCE, join(base, 'conf'), { recursive: true });
    const serverXml = readFileSync(join(TOMCAT_CONF_SOURCE, 'server.xml'), 'utf8');
    writeFileSync(
      join(base, 'conf', 'server.xml'),
      renderTomcatServerXml(serverXml, { address: host.ip, port: 8080 }),
    );
    writeFileSync(
      join(base, 'webapps/ROOT/index.html'),
      renderTomcatIndex(host.name, ctx.topo.prefix),
    );
    writeFileSync(join(base, 'webapps/ROOT/health'), renderTomcatHealth(host.name));
  };

  return {
    async start() {
      if ((await status()).running) return;
      prepareBase();
      const argv = [
        'ip',
        'netns',
        'exec',
        host.ns,
        join(CATALINA_HOME, 'bin', 'catalina.sh'),
        'run',
      ];
      const pid = await spawnDetached(argv, {
        logFile: p.tomcatLog,
        cwd: base,
        env: {
          ...process.env,
          CATALINA_HOME,
          CATALINA_BASE: base,
          CATALINA_TMPDIR: join(base, 'temp'),
          JAVA_OPTS: TOMCAT_JAVA_OPTS,
        },
      });
      writeFileSync(p.tomcatPid, `${pid}\n`, { mode: 0o644 });
      ctx.state.recordProcess(key, { pid, argv, startedAt: new Date().toISOString() });
      ctx.log(`${host.name}: tomcat started (JVM pid ${pid})`);
    },

    async ready(timeoutMs, sig) {
      await waitFor(
        `tomcat on ${host.name} to answer :8080`,
        () => answers(`http://${host.ip}:8080/health`, 500),
        {
          timeoutMs,
          intervalMs: 150,
          signal: sig,
        },
      );
    },

    async stop() {
      const all = await pids();
      for (const pid of all) signal(pid, 'SIGTERM');
      const left = await waitExit(all, 10_000);
      if (left.length > 0) await terminate(left, 1000);
      rmSync(p.tomcatPid, { force: true });
      ctx.state.forgetProcess(key);
      ctx.log(`${host.name}: tomcat stopped`);
    },

    async kill() {
      const all = await pids();
      for (const pid of all) signal(pid, 'SIGKILL');
      const left = await waitExit(all, 3000);
      if (left.length > 0)
        throw new Error(`tomcat pids ${left.join(',')} on ${host.name} survived SIGKILL`);
      // A crash leaves its pid file behind; so does this.
      ctx.state.forgetProcess(key);
      ctx.log(`${host.name}: tomcat killed (SIGKILL ${all.join(',') || 'nothing'})`);
    },

    status,
  };
}
