import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { nginxTempDirs, renderNginxConf } from '@keepwatch/shared';
import { answers } from './http-probe';
import { runOk, spawnDetached } from './exec';
import type { LabContext, ServiceController, ServiceStatus } from './lab-context';
import { nsPids } from './netns';
import { isNginx, matches, readPidFile, signal, terminate, waitExit } from './procs';
import { labHeader } from './svc-keepalived';
import type { LabHost } from './topology';
import { waitFor } from './wait';

/*
 * nginx per load balancer. It daemonises itself, so the pid comes from its pid file.
 * Every nginx process inside the host's namespace is this host's nginx, which is how
 * `kill` also finds workers orphaned by an earlier SIGKILL of the master (they keep :80
 * and would make the next start fail with EADDRINUSE).
 */

export function nginxController(ctx: LabContext, host: LabHost): ServiceController {
  const p = ctx.paths(host);
  const key = `${host.name}/nginx`;
  const masterMatcher = (argv: string[]): boolean => isNginx(argv) && argv.includes(p.nginxConf);

  const pids = async (): Promise<number[]> =>
    (await nsPids(host.ns)).filter((pid) => matches(pid, isNginx));

  const status = async (): Promise<ServiceStatus> => {
    const master = readPidFile(p.nginxPid);
    const all = await pids();
    const running = master !== undefined && all.includes(master) && matches(master, masterMatcher);
    return { running, pids: running ? [master, ...all.filter((x) => x !== master)] : all };
  };

  return {
    async start() {
      const before = await status();
      if (before.running) return;
      // Workers orphaned by a SIGKILLed master still hold :80; clear them like a restart would.
      if (before.pids.length > 0) await terminate(before.pids, 3000);
      for (const d of nginxTempDirs(ctx.model, host.name))
        mkdirSync(d, { recursive: true, mode: 0o755 });
      // Rendered once per lab: a restart keeps what a config push installed.
      if (!existsSync(p.nginxConf))
        writeFileSync(
          p.nginxConf,
          renderNginxConf(ctx.model, host.name, { header: labHeader(ctx, host) }),
          { mode: 0o644 },
        );
      const base = [
        'ip',
        'netns',
        'exec',
        host.ns,
        'nginx',
        '-e',
        p.nginxErrorLog,
        '-c',
        p.nginxConf,
      ];
      await runOk([...base.slice(0, 5), '-t', '-q', ...base.slice(5)], { timeoutMs: 10_000 });
      rmSync(p.nginxPid, { force: true });
      // The launcher exits once the master has daemonised; its stdio goes to a log so a
      // pipe held by the daemon can never block us.
      await spawnDetached(base, { logFile: p.nginxStdLog });
      const master = await waitFor(
        `nginx on ${host.name} to write ${p.nginxPid}`,
        () => {
          const pid = readPidFile(p.nginxPid);
          return pid !== undefined && matches(pid, masterMatcher) ? pid : undefined;
        },
        { timeoutMs: 5000, intervalMs: 20 },
      );
      ctx.state.recordProcess(key, {
        pid: master,
        argv: base,
        startedAt: new Date().toISOString(),
      });
      ctx.log(`${host.name}: nginx started (master ${master})`);
    },

    async ready(timeoutMs, sig) {
      await waitFor(
        `nginx on ${host.name} to answer /healthz`,
        () => answers(`http://${host.ip}/healthz`, 400),
        {
          timeoutMs,
          intervalMs: 100,
          signal: sig,
        },
      );
    },

    async stop() {
      const master = readPidFile(p.nginxPid);
      if (master !== undefined && matches(master, masterMatcher)) {
        signal(master, 'SIGTERM');
        const left = await waitExit([master], 8000);
        if (left.length > 0)
          throw new Error(`nginx master ${master} on ${host.name} did not exit after SIGTERM`);
      }
      // Orphaned workers from an earlier SIGKILL of the master.
      await terminate(await pids(), 3000);
      ctx.state.forgetProcess(key);
      ctx.log(`${host.name}: nginx stopped`);
    },

    async kill() {
      const all = await pids();
      for (const pid of all) signal(pid, 'SIGKILL');
      const left = await waitExit(all, 3000);
      if (left.length > 0)
        throw new Error(`nginx pids ${left.join(',')} on ${host.name} survived SIGKILL`);
      ctx.state.forgetProcess(key);
      ctx.log(`${host.name}: nginx killed (SIGKILL ${all.join(',') || 'nothing'})`);
    },

    status,
  };
}
