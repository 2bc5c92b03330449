import { watch, type FSWatcher } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { ConfigComponent, ConfigObservation } from '@keepwatch/shared';
import { sha256 } from './actions/config-apply';
import { keepalivedIncludes, nginxIncludes } from './config-includes';
import type { ExecFn } from './exec';
import type { Logger } from './log';
import type { Emit } from './observations';
import { sleep } from './timing';

/*
 * keepalived.conf and nginx.conf as files: sha256, the daemon's own test
 * (`keepalived -t -f FILE`, `nginx -T -q -c FILE`) and the content (≤ 256 KiB) with the
 * files it includes (keepalived include globs; the other parts of nginx -T's dump), checked
 * at start and whenever the file's (or an included file's) mtime/size changes. fs.watch on the folder (editors and
 * our own atomic writes replace the file, which a watch on the file itself would lose)
 * with a periodic stat as the fallback. The test runs only when the hash changed.
 */

const MAX_CONTENT = 262_144;

export interface ConfigTarget {
  component: ConfigComponent;
  file: string;
  testArgv: string[];
  /** The test prints every file it read (nginx -T): included files come from its stdout. */
  dumps?: boolean;
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
  /** Included files and their folders last time: a change there is a change too. */
  watched: string[];
  included: string;
}

async function stampOf(paths: readonly string[]): Promise<string> {
  const parts = await Promise.all(
    paths.map(async (p) => {
      const s = await stat(p).catch(() => undefined);
      return s ? `${s.mtimeMs}:${s.size}:${s.ino}` : 'missing';
    }),
  );
  return parts.join('|');
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
    const stamp = await stampOf([t.file, ...(prev?.watched ?? [])]);
    if (prev?.stamp === stamp) return;
    const checkedAt = Date.now();
    const text = await readFile(t.file, 'utf8').catch(() => undefined);
    const hash = text !== undefined ? sha256(text) : undefined;
    const included = await stampOf(prev?.watched ?? []);
    if (prev && prev.hash === hash && prev.included === included) {
      // Rewritten with the same content (a new mtime): nothing to test or report.
      this.seen.set(t.component, { ...prev, stamp });
      return;
    }
    const obs: ConfigObservation = { component: t.component, path: t.file, checkedAt };
    let watched: string[] = [];
    if (text !== undefined && hash !== undefined) {
      obs.hash = hash;
      if (Buffer.byteLength(text) <= MAX_CONTENT) obs.content = text;
      const r = await this.opts.exec(t.testArgv, { timeoutMs: 20_000 });
      // nginx -T prints the configuration on stdout: the verdict is on stderr.
      const said = t.dumps ? [r.stderr] : [r.stdout, r.stderr];
      const output = [...said, r.error ?? ''].join('\n').trim().slice(0, 4096);
      obs.test = { ok: r.code === 0 && r.error === undefined, code: r.code, output };
      const files = t.dumps
        ? nginxIncludes(r.stdout, t.file)
        : await keepalivedIncludes(t.file, text);
      if (files.length > 0) obs.files = files.map((f) => ({ ...f, hash: sha256(f.content) }));
      watched = [...new Set(files.flatMap((f) => [f.path, dirname(f.path)]))];
      this.opts.onContent?.(t.component, text);
    }
    // The stamp includes what the files include now, so the next check notices their edits.
    this.seen.set(t.component, {
      stamp: await stampOf([t.file, ...watched]),
      included: await stampOf(watched),
      watched,
      ...(hash !== undefined && { hash }),
    });
    this.opts.emit({ kind: 'config', config: obs });
  }
}
