import { watch, type FSWatcher } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { ConfigComponent, ConfigObservation } from '@keepwatch/shared';
import { sha256 } from './actions/config-apply';
import type { ExecFn } from './exec';
import type { Logger } from './log';
import type { Emit } from './observations';
import { sleep } from './timing';

/*
 * keepalived.conf and nginx.conf as files: sha256, the daemon's own test
 * (`keepalived -t -f FILE`, `nginx -t -q -c FILE`) and the content (≤ 256 KiB), checked at
 * start and whenever the file's mtime/size changes. fs.watch on the folder (editors and
 * our own atomic writes replace the file, which a watch on the file itself would lose)
 * with a periodic stat as the fallback. The test runs only when the hash changed.
 */

const MAX_CONTENT = 262_144;

export interface ConfigTarget {
  component: ConfigComponent;
  file: string;
  testArgv: string[];
}

export interface ConfigObserverOptions {
  targets: ConfigTarget[];
  exec: ExecFn;
  log: Logger;
  emit: Emit;
  /** Each time a file's content changes (the agent derives upstreams and sync groups). */
  onContent?: (component: ConfigComponent, content: string) => void;
  fallbackMs?: number;
}

interface Seen {
  stamp: string;
  hash?: string;
}

export class ConfigObserver {
  private readonly seen = new Map<ConfigComponent, Seen>();
  private readonly watchers: FSWatcher[] = [];
  private loop: Promise<void> | undefined;
  private checking: Promise<void> | undefined;
  private again = false;

  constructor(private readonly opts: ConfigObserverOptions) {}

  async start(signal: AbortSignal): Promise<void> {
    for (const dir of new Set(this.opts.targets.map((t) => dirname(t.file)))) {
      try {
        const names = new Set(this.opts.targets.map((t) => basename(t.file)));
        const w = watch(dir, { persistent: false }, (_e, name) => {
          if (name === null || names.has(name.toString())) void this.check();
        });
        w.on('error', () => undefined);
        this.watchers.push(w);
      } catch (err) {
        this.opts.log.debug('cannot watch config folder; relying on the periodic check', {
          dir,
          err,
        });
      }
    }
    signal.addEventListener('abort', () => this.watchers.forEach((w) => w.close()), { once: true });
    await this.check();
    this.loop = (async () => {
      while (await sleep(this.opts.fallbackMs ?? 10_000, signal)) await this.check();
    })();
  }

  async stopped(): Promise<void> {
    await Promise.all([this.loop, this.checking]);
  }

  /** Checks every file now (or once more after the check in flight). */
  check(): Promise<void> {
    if (this.checking) {
      this.again = true;
      return this.checking;
    }
    this.checking = (async () => {
      do {
        this.again = false;
        for (const t of this.opts.targets)
          await this.checkOne(t).catch((err: unknown) =>
            this.opts.log.warn('config check failed', { file: t.file, err }),
          );
      } while (this.again);
    })().finally(() => (this.checking = undefined));
    return this.checking;
  }

  private async checkOne(t: ConfigTarget): Promise<void> {
    const prev = this.seen.get(t.component);
    let stamp = 'missing';
    try {
      const s = await stat(t.file);
      stamp = `${s.mtimeMs}:${s.size}:${s.ino}`;
    } catch {
      // reported below as an observation without hash
    }
    if (prev?.stamp === stamp) return;
    const checkedAt = Date.now();
    let text: string | undefined;
    try {
      text = await readFile(t.file, 'utf8');
    } catch {
      text = undefined;
    }
    const hash = text !== undefined ? sha256(text) : undefined;
    this.seen.set(t.component, { stamp, ...(hash ? { hash } : {}) });
    if (prev && prev.hash === hash) return;
    const obs: ConfigObservation = { component: t.component, path: t.file, checkedAt };
    if (text !== undefined && hash !== undefined) {
      obs.hash = hash;
      if (Buffer.byteLength(text) <= MAX_CONTENT) obs.content = text;
      const r = await this.opts.exec(t.testArgv, { timeoutMs: 20_000 });
      const output = [r.stdout, r.stderr, r.error ?? ''].join('\n').trim().slice(0, 4096);
      obs.test = { ok: r.code === 0 && r.error === undefined, code: r.code, output };
      this.opts.onContent?.(t.component, text);
    }
    this.opts.emit({ kind: 'config', config: obs });
  }
}
