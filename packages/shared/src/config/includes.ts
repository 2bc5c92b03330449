import { parseKeepalivedTree, type ConfigNode } from './keepalived-tree';
import { parseNginxTree, type NginxNode } from './nginx-tree';

/*
 * `include` for both daemons, over files already read (the agent sends the main file and
 * what its includes matched). Pure: globbing is matched against the given paths, in the
 * sorted order glob(3) returns. An include is expanded where it stands (keepalived reads
 * includes at line level, nginx in any context); every expanded node keeps its `file`, so
 * findings point at the file and line to edit. Relative patterns: keepalived resolves them
 * against the including file's folder, nginx against the main file's folder (its prefix).
 */

export interface ConfigFile {
  path: string;
  content: string;
}

export interface MissingInclude {
  pattern: string;
  file: string;
  line: number;
}

const MAX_DEPTH = 8;

/* POSIX path helpers of our own: this package also runs in the browser (no node:path). */

function dirname(path: string): string {
  const at = path.lastIndexOf('/');
  return at <= 0 ? (at === 0 ? '/' : '.') : path.slice(0, at);
}

function normalize(path: string): string {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return `/${out.join('/')}`;
}

function globRegex(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? '';
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        re += `[${pattern.slice(i + 1, end).replace(/^!/, '^')}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** The given paths an include pattern matches, sorted (glob(3) order). */
export function matchInclude(pattern: string, base: string, paths: readonly string[]): string[] {
  const re = globRegex(normalize(pattern.startsWith('/') ? pattern : `${base}/${pattern}`));
  return paths.filter((p) => re.test(p)).sort();
}

export interface ResolvedKeepalived {
  tree: ConfigNode[];
  /** Every file that was read, main first. */
  files: string[];
  missing: MissingInclude[];
}

/** keepalived.conf with its includes expanded in place. */
export function resolveKeepalivedIncludes(
  main: ConfigFile,
  others: readonly ConfigFile[],
): ResolvedKeepalived {
  const byPath = new Map(others.map((f) => [f.path, f.content]));
  const files = [main.path];
  const missing: MissingInclude[] = [];
  const expand = (nodes: ConfigNode[], file: string, depth: number): ConfigNode[] =>
    nodes.flatMap((n) => {
      if (n.key !== 'include' || n.condition !== undefined) {
        return n.children ? [{ ...n, children: expand(n.children, file, depth) }] : [n];
      }
      return n.args.flatMap((pattern) => {
        const hits = matchInclude(pattern, dirname(file), [...byPath.keys()]);
        if (hits.length === 0 || depth >= MAX_DEPTH) {
          missing.push({ pattern, file, line: n.line });
          return [];
        }
        return hits.flatMap((path) => {
          if (!files.includes(path)) files.push(path);
          return expand(parseKeepalivedTree(byPath.get(path) ?? '', path), path, depth + 1);
        });
      });
    });
  const tree = expand(parseKeepalivedTree(main.content, main.path), main.path, 0);
  return { tree, files, missing };
}

export interface ResolvedNginx {
  nodes: NginxNode[];
  files: string[];
  missing: MissingInclude[];
  errors: { file: string; line: number; message: string }[];
}

/**
 * nginx.conf with its includes expanded in place (mime.types, conf.d/*.conf …). `keep`
 * leaves an include as it is when it returns true for what the include would add.
 */
export function resolveNginxIncludes(
  main: ConfigFile,
  others: readonly ConfigFile[],
  keep?: (added: NginxNode[]) => boolean,
): ResolvedNginx {
  const byPath = new Map(others.map((f) => [f.path, f.content]));
  const prefix = dirname(main.path);
  const files = [main.path];
  const missing: MissingInclude[] = [];
  const errors: ResolvedNginx['errors'] = [];
  const parse = (path: string, text: string): NginxNode[] => {
    const p = parseNginxTree(text, path);
    errors.push(...p.errors.map((e) => ({ file: path, ...e })));
    return p.nodes;
  };
  const expand = (nodes: NginxNode[], file: string, depth: number): NginxNode[] =>
    nodes.flatMap((n) => {
      if (n.name !== 'include') {
        return n.children ? [{ ...n, children: expand(n.children, file, depth) }] : [n];
      }
      const pattern = n.args[0] ?? '';
      const hits = matchInclude(pattern, prefix, [...byPath.keys()]);
      if (hits.length === 0 || depth >= MAX_DEPTH) {
        // nginx accepts a glob matching nothing; a plain path must exist.
        if (!/[*?[]/.test(pattern) || depth >= MAX_DEPTH)
          missing.push({ pattern, file, line: n.line });
        return keep?.([]) ? [n] : [];
      }
      for (const path of hits) if (!files.includes(path)) files.push(path);
      const added = hits.flatMap((path) =>
        expand(parse(path, byPath.get(path) ?? ''), path, depth + 1),
      );
      return keep?.(added) ? [n] : added;
    });
  return { nodes: expand(parse(main.path, main.content), main.path, 0), files, missing, errors };
}

const DUMP_HEADER = /^# configuration file (.+):$/;

/**
 * `nginx -T` output → its files, main first. nginx prints each file it read after a
 * `# configuration file PATH:` line, followed by a blank line.
 */
export function splitNginxDump(text: string): ConfigFile[] {
  const files: ConfigFile[] = [];
  let current: { path: string; lines: string[] } | undefined;
  const flush = (): void => {
    if (!current) return;
    const lines = current.lines;
    if (lines.at(-1) === '') lines.pop();
    files.push({ path: current.path, content: lines.join('\n') + (lines.length ? '\n' : '') });
  };
  for (const line of text.split('\n')) {
    const m = DUMP_HEADER.exec(line);
    if (m?.[1]) {
      flush();
      current = { path: m[1], lines: [] };
    } else current?.lines.push(line);
  }
  flush();
  return files;
}
