import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import {
  configInstanceNames,
  configTrackedScriptNames,
  parseKeepalivedConfig,
  type AgentConfig,
  type ConfigApplyParams,
  type ConfigComponent,
} from '@keepwatch/shared';
import { renameSynced, writeFileAtomic, writeSynced } from '../atomic-write';
import type { ExecFn } from '../exec';
import { probeHttp } from '../http-probe';
import {
  checkKeepalivedPid,
  lookupSignum,
  requestDump,
  requestTextDump,
} from '../keepalived-process';
import type { Logger } from '../log';
import { sleep } from '../timing';
import { hostEnv, leastRightsPrefix, type LeastRightsEnv } from './least-rights';
import { describeRefused, refusedCommands } from './script-policy';
import { Steps, type Step } from './steps';

/*
 * config.apply, in order; any failure after the install rolls back by itself:
 *   staged file next to the target (same folder and mode) -> validate it
 *   (`keepalived -t -f` / `nginx -t -q -c`, must exit 0) -> refuse if the file changed since
 *   baseHash -> back up the current file (timestamped, last 5 kept) -> atomic rename over
 *   the target -> reload (keepalived SIGHUP to its pid, `nginx -c FILE -s reload`) ->
 *   verify (keepalived alive, its dump lists the new instances and every tracked vrrp_script;
 *   nginx probe healthy)
 *   -> on failure: restore the backup, reload again and verify that too; answer 'rolled_back',
 *   or 'rollback_failed' when even the previous config does not come back (a human must look).
 */

export type ApplyOutcome =
  { ok: true; steps: Step[] } | { ok: false; code: string; message: string; steps: Step[] };

const KEEP_BACKUPS = 5;

export function sha256(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

/** vrrp_script names a keepalived text dump (SIGUSR1, any version 1.3-2.2) says are loaded. */
export function dumpScripts(text: string): string[] {
  return [...text.matchAll(/^\s*VRRP Script = (\S+)/gm)].map((m) => m[1] ?? '').sort();
}

class StepFailed extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ConfigApplierOptions {
  config: AgentConfig;
  exec: ExecFn;
  log: Logger;
  /** How long nginx gets to answer its probe after a reload. */
  verifyTimeoutMs?: number;
  /** Who runs the validate step (tests inject it; default: this process). */
  rights?: LeastRightsEnv;
}

export class ConfigApplier {
  private busy = false;
  constructor(private readonly opts: ConfigApplierOptions) {}

  async apply(id: string, p: ConfigApplyParams): Promise<ApplyOutcome> {
    const steps = new Steps(this.opts.exec);
    if (this.busy)
      return {
        ok: false,
        code: 'conflict',
        message: 'another config.apply is running',
        steps: steps.list,
      };
    this.busy = true;
    try {
      await this.run(id, p, steps);
      return { ok: true, steps: steps.list };
    } catch (err) {
      const code = err instanceof StepFailed ? err.code : 'failed';
      return { ok: false, code, message: (err as Error).message, steps: steps.list };
    } finally {
      this.busy = false;
    }
  }

  private target(component: ConfigComponent): { file: string; binary: string } {
    const c = this.opts.config[component];
    if (!c?.configFile)
      throw new StepFailed('invalid', `no ${component}.configFile in this agent's config`);
    return { file: c.configFile, binary: c.binary };
  }

  private async run(id: string, p: ConfigApplyParams, steps: Steps): Promise<void> {
    const { file, binary } = this.target(p.component);
    const current = await readFile(file);
    const mode = (await stat(file)).mode & 0o7777;
    if (p.baseHash !== undefined && p.baseHash !== sha256(current)) {
      steps.add({
        step: 'check base hash',
        ok: false,
        output: `on disk ${sha256(current)}, expected ${p.baseHash}`,
      });
      throw new StepFailed(
        'conflict',
        `${file} changed since the server read it (hash mismatch); re-read and retry`,
      );
    }
    if (p.component === 'keepalived') {
      const allowed = this.opts.config.keepalived?.allowedScripts ?? [];
      const refused = refusedCommands(p.content, current.toString('utf8'), allowed);
      if (refused.length > 0) {
        steps.add({
          step: 'check commands against allowedScripts',
          ok: false,
          output: describeRefused(refused),
        });
        throw new StepFailed(
          'not_permitted',
          `the new keepalived config runs commands this host does not allow (keepalived.allowedScripts in the agent's config):\n${describeRefused(refused)}`,
        );
      }
    }
    const staged = join(
      dirname(file),
      `.${basename(file)}.kw-staged-${id.replace(/[^A-Za-z0-9._-]/g, '_')}`,
    );
    await unlink(staged).catch(() => undefined);
    const wrote = await steps.task('write staged file', () =>
      writeSynced(staged, p.content, mode).then(() => staged),
    );
    if (!wrote.ok) throw new StepFailed('failed', `cannot write ${staged}`);
    let installed = false;
    try {
      const test = await steps.run('validate', this.testArgv(p.component, binary, staged), {
        timeoutMs: 20_000,
      });
      if (!test.ok)
        throw new StepFailed(
          'validation_failed',
          `the new ${p.component} config does not pass its test:\n${test.output ?? ''}`,
        );
      if (p.dryRun) return;
      const backup = await this.backup(p.component, file, current, steps);
      await steps.task('install (atomic rename)', () => renameSynced(staged, file));
      installed = true;
      const why = await this.reloadAndVerify(p.component, file, binary, p.content, steps);
      if (why !== undefined) {
        const after = await this.rollback(p.component, file, binary, backup, mode, steps);
        if (after !== undefined)
          throw new StepFailed(
            'rollback_failed',
            `${why}; the previous config was restored, but ${after}: check this host now`,
          );
        throw new StepFailed(
          'rolled_back',
          `${why}; the previous config was restored and reloaded`,
        );
      }
    } finally {
      if (!installed) await unlink(staged).catch(() => undefined);
    }
  }

  private testArgv(component: ConfigComponent, binary: string, file: string): string[] {
    if (component === 'keepalived') return [binary, '-t', '-f', file];
    const mode = this.opts.config.nginx?.testPrivileges ?? 'least';
    const prefix = leastRightsPrefix(mode, this.opts.rights ?? hostEnv());
    return [...prefix, binary, '-t', '-q', '-c', file];
  }

  private async backup(
    component: ConfigComponent,
    file: string,
    current: Buffer,
    steps: Steps,
  ): Promise<string> {
    const dir = join(this.opts.config.stateDir, 'config-backups', component);
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const path = join(dir, `${basename(file)}.${stamp}`);
    const s = await steps.task('back up current file', async () => {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await writeFileAtomic(path, current, 0o600);
      const old = (await readdir(dir)).filter((n) => n.startsWith(`${basename(file)}.`)).sort();
      for (const n of old.slice(0, Math.max(0, old.length - KEEP_BACKUPS)))
        await unlink(join(dir, n));
      return path;
    });
    if (!s.ok) throw new StepFailed('failed', `cannot back up ${file}: ${s.output ?? ''}`);
    return path;
  }

  /** undefined when the reload went well; otherwise why not. */
  private async reloadAndVerify(
    component: ConfigComponent,
    file: string,
    binary: string,
    content: string,
    steps: Steps,
  ): Promise<string | undefined> {
    if (component === 'nginx') {
      const r = await steps.run('reload nginx', [binary, '-c', file, '-s', 'reload'], {
        timeoutMs: 15_000,
      });
      if (!r.ok) return `nginx reload failed (exit ${r.code ?? 'none'})`;
      return (await this.verifyNginx(steps))
        ? undefined
        : 'nginx did not answer its probe after the reload';
    }
    if (!(await this.reloadKeepalived(steps))) return 'keepalived is not running: cannot reload it';
    return this.verifyKeepalived(content, steps);
  }

  private async reloadKeepalived(steps: Steps, label = ''): Promise<boolean> {
    const ka = this.opts.config.keepalived;
    const s = await steps.task(`reload keepalived (SIGHUP)${label}`, async () => {
      if (!ka) throw new Error('no keepalived section');
      const check = await checkKeepalivedPid(ka.pidFile);
      if (!check.running) throw new Error(check.detail);
      process.kill(check.pid, 'SIGHUP');
      return `SIGHUP to pid ${check.pid}`;
    });
    return s.ok;
  }

  /** undefined when keepalived runs the config as it describes; otherwise why not. */
  private async verifyKeepalived(
    content: string,
    steps: Steps,
    label = '',
  ): Promise<string | undefined> {
    const ka = this.opts.config.keepalived;
    if (!ka) return 'no keepalived section in this agent config';
    const parsed = parseKeepalivedConfig(content);
    const expected = configInstanceNames(parsed);
    const s = await steps.task(`verify keepalived${label}`, async () => {
      // The reload itself takes 10-30 ms; give the VRRP child time to re-read everything.
      await sleep(500);
      const check = await checkKeepalivedPid(ka.pidFile);
      if (!check.running) throw new Error(`keepalived stopped after the reload (${check.detail})`);
      const json = await lookupSignum(this.opts.exec, ka.binary, 'JSON');
      const dump = await requestDump({
        pid: check.pid,
        signum: json ?? (await lookupSignum(this.opts.exec, ka.binary, 'DATA')) ?? 10,
        dir: ka.dumpDir,
        format: json !== undefined ? 'json' : 'text',
        deadlineMs: 3000,
      });
      if (!dump) throw new Error('no state dump after the reload');
      const names = dump.map((i) => i.name).sort();
      const missing = expected.filter((n) => !names.includes(n));
      if (missing.length > 0)
        throw new Error(
          `dump lacks instances ${missing.join(', ')} (has ${names.join(', ') || 'none'})`,
        );
      // keepalived drops a vrrp_script it cannot set up on reload (e.g. its script user) and
      // logs "track script … not found, ignoring": the pair then silently loses its health
      // tracking. Only the text dump lists loaded scripts (the JSON one does not).
      const tracked = configTrackedScriptNames(parsed);
      if (tracked.length === 0) return `running (pid ${check.pid}); instances ${names.join(', ')}`;
      const text = await requestTextDump({
        pid: check.pid,
        signum: (await lookupSignum(this.opts.exec, ka.binary, 'DATA')) ?? 10,
        dir: ka.dumpDir,
        deadlineMs: 3000,
      });
      if (text === undefined) throw new Error('no text dump to check tracked scripts');
      const loaded = dumpScripts(text);
      const dropped = tracked.filter((n) => !loaded.includes(n));
      if (dropped.length > 0)
        throw new Error(
          `keepalived dropped tracked script(s) ${dropped.join(', ')} on reload (see its log: often "script_user" set after a notify_fifo line, or a missing script user)`,
        );
      return `running (pid ${check.pid}); instances ${names.join(', ')}; scripts ${loaded.join(', ')}`;
    });
    return s.ok ? undefined : `keepalived after the reload: ${s.output ?? 'not verified'}`;
  }

  private async verifyNginx(steps: Steps, label = ''): Promise<boolean> {
    const probe = this.opts.config.nginx?.probe;
    if (!probe) return true;
    const deadline = Date.now() + (this.opts.verifyTimeoutMs ?? 5000);
    const s = await steps.task(`verify nginx probe${label}`, async () => {
      for (;;) {
        const h = await probeHttp(probe.url, probe.timeoutMs);
        if (h.healthy) return `${probe.url}: ${h.detail ?? 'ok'}`;
        if (Date.now() > deadline) throw new Error(`${probe.url}: ${h.detail ?? 'unhealthy'}`);
        await sleep(200);
      }
    });
    return s.ok;
  }

  private async rollback(
    component: ConfigComponent,
    file: string,
    binary: string,
    backup: string,
    mode: number,
    steps: Steps,
  ): Promise<string | undefined> {
    this.opts.log.warn('config apply failed verification: rolling back', {
      component,
      file,
      backup,
    });
    const previous = await readFile(backup, 'utf8');
    const restored = await steps.task('restore backup', async () =>
      writeFileAtomic(file, previous, mode),
    );
    if (!restored.ok) return `the backup could not be written back (${restored.output ?? ''})`;
    if (component === 'nginx') {
      const r = await steps.run('reload nginx (rollback)', [binary, '-c', file, '-s', 'reload'], {
        timeoutMs: 15_000,
      });
      if (!r.ok) return `nginx did not reload it (exit ${r.code ?? 'none'})`;
      return (await this.verifyNginx(steps, ' (rollback)'))
        ? undefined
        : 'nginx does not answer its probe';
    }
    if (!(await this.reloadKeepalived(steps, ' (rollback)'))) return 'keepalived is not running';
    return this.verifyKeepalived(previous, steps, ' (rollback)');
  }
}
