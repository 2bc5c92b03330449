import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { runOk, spawnDetached } from './exec';
import type { LabContext, ServiceController, ServiceStatus } from './lab-context';
import { nsPids } from './netns';
import { isAlive, isKeepalived, matches, readPidFile, signal, terminate, waitExit } from './procs';
import { renderKeepalivedConf } from './render-keepalived';
import type { LabHost, LbHostName } from './topology';
import { waitFor } from './wait';

/*
 * keepalived per load balancer: own config, pid files (-p/-r/-c), TMPDIR (dump dir) and
 * log. `kill` SIGKILLs the VRRP child before the parent: killing the parent first would
 * let the child get its parent-death SIGTERM and clean up like a graceful stop, which is
 * not the crash `kill` is meant to be (reference lab, addendum 11).
 */

export function keepalivedController(
  ctx: LabContext,
  host: LabHost,
  curl: string,
): ServiceController {
  const p = ctx.paths(host);
  const mine = isKeepalived(p.keepalivedConf);
  const key = `${host.name}/keepalived`;

  const pids = async (): Promise<number[]> => {
    const fromFiles = [p.keepalivedPid, p.keepalivedVrrpPid, p.keepalivedCheckPid]
      .map(readPidFile)
      .filter((pid): pid is number => pid !== undefined && matches(pid, mine));
    const fromNs = (await nsPids(host.ns)).filter((pid) => matches(pid, mine));
    return [...new Set([...fromFiles, ...fromNs])];
  };

  const status = async (): Promise<ServiceStatus> => {
    const parent = readPidFile(p.keepalivedPid);
    const all = await pids();
    const running = parent !== undefined && all.includes(parent);
    const ordered = running ? [parent, ...all.filter((x) => x !== parent)] : all;
    return { running, pids: ordered };
  };

  return {
    async start() {
      const before = await status();
      if (before.running) return;
      // A VRRP child whose parent was SIGKILLed is still shutting down; do not race it.
      if (before.pids.length > 0) await terminate(before.pids, 3000);
      mkdirSync(p.keepalivedTmp, { recursive: true, mode: 0o755 });
      const conf = renderKeepalivedConf({
        topo: ctx.topo,
        host: host.name as LbHostName,
        fifo: p.fifo,
        curl,
      });
      writeFileSync(p.keepalivedConf, conf, { mode: 0o644 });
      // rc 0 or nothing: 5 = config error, 6 = script security (reference lab, section 4).
      await runOk(['ip', 'netns', 'exec', host.ns, 'keepalived', '-t', '-f', p.keepalivedConf], {
        timeoutMs: 10_000,
      });
      for (const f of [p.keepalivedPid, p.keepalivedVrrpPid, p.keepalivedCheckPid])
        rmSync(f, { force: true });
      const argv = [
        'ip',
        'netns',
        'exec',
        host.ns,
        'keepalived',
        '-n',
        '-l',
        '-D',
        '-G',
        '-f',
        p.keepalivedConf,
        '-p',
        p.keepalivedPid,
        '-r',
        p.keepalivedVrrpPid,
        '-c',
        p.keepalivedCheckPid,
      ];
      const pid = await spawnDetached(argv, {
        logFile: p.keepalivedLog,
        env: { ...process.env, TMPDIR: p.keepalivedTmp },
      });
      ctx.state.recordProcess(key, { pid, argv, startedAt: new Date().toISOString() });
      ctx.log(`${host.name}: keepalived started (pid ${pid})`);
    },

    async ready(timeoutMs, sig) {
      await waitFor(
        `keepalived on ${host.name} to write its pid files`,
        () => {
          const parent = readPidFile(p.keepalivedPid);
          const child = readPidFile(p.keepalivedVrrpPid);
          return parent !== undefined && child !== undefined && isAlive(parent) && isAlive(child);
        },
        { timeoutMs, intervalMs: 50, signal: sig },
      );
    },

    async stop() {
      const parent = readPidFile(p.keepalivedPid);
      if (parent !== undefined && matches(parent, mine)) {
        signal(parent, 'SIGTERM');
        // keepalived takes about 1 s to exit after SIGTERM.
        const left = await waitExit([parent], 8000);
        if (left.length > 0)
          throw new Error(`keepalived on ${host.name} (pid ${parent}) did not exit after SIGTERM`);
      }
      // Children of a parent that was SIGKILLed earlier could still be around.
      await terminate(await pids(), 3000);
      ctx.state.forgetProcess(key);
      ctx.log(`${host.name}: keepalived stopped`);
    },

    async kill() {
      const parent = readPidFile(p.keepalivedPid);
      const killed: number[] = [];
      // Stop the parent first so it cannot respawn a VRRP child between the kills; a
      // stopped process still dies on SIGKILL. Rescan a few times for anything missed.
      for (let round = 0; round < 3; round++) {
        const all = await pids();
        if (all.length === 0) break;
        const hasParent = parent !== undefined && all.includes(parent);
        if (hasParent) signal(parent, 'SIGSTOP');
        for (const pid of all.filter((x) => x !== parent)) signal(pid, 'SIGKILL');
        if (hasParent) signal(parent, 'SIGKILL');
        killed.push(...all);
        const left = await waitExit(all, 3000);
        if (left.length > 0) {
          throw new Error(`keepalived pids ${left.join(',')} on ${host.name} survived SIGKILL`);
        }
      }
      ctx.state.forgetProcess(key);
      ctx.log(`${host.name}: keepalived killed (SIGKILL ${killed.join(',') || 'nothing'})`);
    },

    status,
  };
}
