import {
  analyseCluster,
  type ConfigFinding,
  type HostConfigFiles,
  type ComponentFiles,
  type NeighbourInstance,
} from '@keepwatch/shared';

/*
 * The editor's draft: one text per host and component (the main keepalived.conf and
 * nginx.conf), started from the live files the agents observe. Pure functions over it: the
 * changes a push sends (each with the live file's sha256 as its base, so a file edited on
 * the host since the page loaded is refused as a conflict), the analysis input (includes
 * stay the live ones) and the findings placed on the lines of one file.
 */

export type ConfigComponent = 'keepalived' | 'nginx';
export const COMPONENTS: readonly ConfigComponent[] = ['keepalived', 'nginx'];

/** A host's main file of one component, as GET /clusters/:id/config reports it. */
export interface LiveFile {
  component: ConfigComponent;
  path: string;
  sha256: string;
  content: string;
  /** What its includes matched, as the agent read it. */
  includes?: readonly { path: string; content: string }[];
}

export interface LiveHost {
  host: string;
  /** The host's own address, when known (unicast peers are checked against it). */
  address?: string;
  files: readonly LiveFile[];
}

export type FileKey = `${string}/${ConfigComponent}`;
export const fileKey = (host: string, component: ConfigComponent): FileKey =>
  `${host}/${component}`;

/** Draft text per file key. */
export type Draft = Readonly<Record<FileKey, string>>;

export interface PushChange {
  host: string;
  component: ConfigComponent;
  content: string;
  baseHash?: string;
}

/** The main file of a component on a host. */
export function mainFile(h: LiveHost, component: ConfigComponent): LiveFile | undefined {
  return h.files.find((f) => f.component === component);
}

/** Every host's main files, in host order then keepalived before nginx. */
export function editableFiles(hosts: readonly LiveHost[]): { host: string; file: LiveFile }[] {
  return hosts.flatMap((h) =>
    COMPONENTS.flatMap((c) => {
      const file = mainFile(h, c);
      return file ? [{ host: h.host, file }] : [];
    }),
  );
}

export function initialDraft(hosts: readonly LiveHost[]): Draft {
  const out: Record<FileKey, string> = {};
  for (const { host, file } of editableFiles(hosts))
    out[fileKey(host, file.component)] = file.content;
  return out;
}

/**
 * The draft after the live files were read again: the operator's edits (files whose draft
 * differed from the live file it was started from) are kept; every other file follows the
 * new live content. After a failed or rolled-back push the edit is there to fix and retry.
 */
export function carryDraft(
  before: readonly LiveHost[],
  draft: Draft,
  after: readonly LiveHost[],
): Draft {
  const was = initialDraft(before);
  const out: Record<FileKey, string> = { ...initialDraft(after) };
  for (const key of Object.keys(out) as FileKey[]) {
    const mine = draft[key];
    if (mine !== undefined && mine !== was[key]) out[key] = mine;
  }
  return out;
}

/** What a push sends: only the files whose draft differs from the live one. */
export function pendingChanges(hosts: readonly LiveHost[], draft: Draft): PushChange[] {
  return editableFiles(hosts).flatMap(({ host, file }) => {
    const content = draft[fileKey(host, file.component)];
    return content === undefined || content === file.content
      ? []
      : [{ host, component: file.component, content, baseHash: file.sha256 }];
  });
}

function componentFiles(h: LiveHost, c: ConfigComponent, draft: Draft): ComponentFiles | undefined {
  const main = mainFile(h, c);
  if (!main) return undefined;
  return {
    main: { path: main.path, content: draft[fileKey(h.host, c)] ?? main.content },
    includes: (main.includes ?? []).map((f) => ({ path: f.path, content: f.content })),
  };
}

/** The draft as analysis input: each host's main files from the draft, includes as observed. */
export function draftHosts(hosts: readonly LiveHost[], draft: Draft): HostConfigFiles[] {
  return hosts.map((h) => {
    const keepalived = componentFiles(h, 'keepalived', draft);
    const nginx = componentFiles(h, 'nginx', draft);
    return {
      node: h.host,
      ...(h.address !== undefined && { address: h.address }),
      ...(keepalived && { keepalived }),
      ...(nginx && { nginx }),
    };
  });
}

/** The draft's findings; `neighbours`: other clusters' instances (VR-1), from GET config. */
export function analyseDraft(
  hosts: readonly LiveHost[],
  draft: Draft,
  neighbours: readonly NeighbourInstance[] = [],
): ConfigFinding[] {
  return analyseCluster(draftHosts(hosts, draft), { neighbours });
}

export type DiagnosticSeverity = 'error' | 'warning' | 'info';

/** The shape CodeMirror's lint extension takes (kept free of its import: this file is pure). */
export interface EditorDiagnostic {
  from: number;
  to: number;
  severity: DiagnosticSeverity;
  message: string;
  /** The finding's rule id, e.g. WT-1. */
  source: string;
}

const SEVERITY: Record<ConfigFinding['severity'], DiagnosticSeverity> = {
  critical: 'error',
  warning: 'warning',
  info: 'info',
};

/** Offsets of a 1-based line (clamped to the text), without its newline. */
export function lineSpan(text: string, line: number): { from: number; to: number } {
  let from = 0;
  for (let n = 1; n < line; n++) {
    const next = text.indexOf('\n', from);
    if (next < 0) break;
    from = next + 1;
  }
  const end = text.indexOf('\n', from);
  return { from, to: end < 0 ? text.length : end };
}

/**
 * The findings that point into one file, placed on their line (line 1 when a finding names
 * the file but no line), worded in the reader's language with the fix.
 */
export function diagnosticsFor(
  findings: readonly ConfigFinding[],
  target: { host: string; component: ConfigComponent; path: string },
  text: string,
  lang: 'en' | 'zh-CN',
): EditorDiagnostic[] {
  const out: EditorDiagnostic[] = [];
  for (const f of findings) {
    const here = f.at.filter(
      (a) =>
        a.node === target.host &&
        a.component === target.component &&
        (a.file === undefined || a.file === target.path),
    );
    const lines = new Set(here.map((a) => a.line ?? 1));
    for (const line of lines) {
      const span = lineSpan(text, line);
      out.push({
        ...span,
        severity: SEVERITY[f.severity],
        message: `${f.message[lang]}\n→ ${f.fix[lang]}`,
        source: f.id,
      });
    }
  }
  return out.sort((a, b) => a.from - b.from);
}
