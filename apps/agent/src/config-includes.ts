import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  matchInclude,
  parseKeepalivedTree,
  splitNginxDump,
  walkTree,
  type ConfigFile,
} from '@keepwatch/shared';

/*
 * The files a config includes, read from disk for `config.observed`: keepalived's
 * `include` globs (relative to the including file, nested up to 4 deep) and the parts of
 * `nginx -T` after the main file. Bounded like the message schema: 32 files, 128 KiB each.
 */

export const MAX_INCLUDED_FILES = 32;
export const MAX_INCLUDED_BYTES = 131_072;

/** The paths a glob matches on disk, segment by segment (glob(3) order). */
export async function globOnDisk(pattern: string, base: string): Promise<string[]> {
  const abs = pattern.startsWith('/') ? pattern : `${base}/${pattern}`;
  let dirs = ['/'];
  const segments = abs.split('/').filter((s) => s !== '' && s !== '.');
  for (const seg of segments) {
    const next: string[] = [];
    for (const dir of dirs) {
      const join = (n: string): string => (dir === '/' ? `/${n}` : `${dir}/${n}`);
      if (!/[*?[]/.test(seg)) {
        next.push(seg === '..' ? dirname(dir) : join(seg));
        continue;
      }
      const names = await readdir(dir).catch(() => [] as string[]);
      next.push(...matchInclude(seg, dir, names.filter((n) => !n.startsWith('.')).map(join)));
    }
    dirs = next;
  }
  const files: string[] = [];
  for (const p of dirs) if ((await stat(p).catch(() => undefined))?.isFile()) files.push(p);
  return files.sort();
}

/** keepalived.conf's included files, read from disk (the main file excluded). */
export async function keepalivedIncludes(file: string, content: string): Promise<ConfigFile[]> {
  const out: ConfigFile[] = [];
  const visit = async (path: string, text: string, depth: number): Promise<void> => {
    const patterns: string[] = [];
    walkTree(parseKeepalivedTree(text), (n) => {
      if (n.key === 'include' && n.condition === undefined) patterns.push(...n.args);
    });
    for (const pattern of patterns) {
      for (const hit of await globOnDisk(pattern, dirname(path))) {
        if (hit === file || out.some((f) => f.path === hit) || out.length >= MAX_INCLUDED_FILES)
          continue;
        const body = await readFile(hit, 'utf8').catch(() => undefined);
        if (body === undefined || Buffer.byteLength(body) > MAX_INCLUDED_BYTES) continue;
        out.push({ path: hit, content: body });
        if (depth < 4) await visit(hit, body, depth + 1);
      }
    }
  };
  await visit(file, content, 0);
  return out;
}

/** The parts of `nginx -T` output other than the main file, within the bounds. */
export function nginxIncludes(dump: string, file: string): ConfigFile[] {
  return splitNginxDump(dump)
    .filter((f) => f.path !== file && Buffer.byteLength(f.content) <= MAX_INCLUDED_BYTES)
    .slice(0, MAX_INCLUDED_FILES);
}
