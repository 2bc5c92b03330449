import { Value } from '@sinclair/typebox/value';
import {
  ClusterModel,
  importCluster,
  renderKeepalivedConf,
  renderNginxConf,
  type ImportNote,
} from '@keepwatch/shared';
import {
  draftHosts,
  fileKey,
  mainFile,
  type Draft,
  type FileKey,
  type LiveHost,
} from './config-draft';

/*
 * The form's side of the page: the cluster model imported from the live files, the common
 * settings changed as pure updates of it, checked against the shared schema, and rendered
 * back into each load balancer's files with the shared renderers. Rendering keeps each
 * live file's leading comment lines as its header, so a form change shows as the lines it
 * changes and nothing else.
 */

export interface ImportedModel {
  model: ClusterModel | null;
  notes: ImportNote[];
}

export function importFromLive(hosts: readonly LiveHost[], draft: Draft): ImportedModel {
  const r = importCluster(draftHosts(hosts, draft));
  return { model: r.model ?? null, notes: r.notes };
}

/** A change of the model: `edit` mutates a copy, the original is never touched. */
export function updateModel(model: ClusterModel, edit: (m: ClusterModel) => void): ClusterModel {
  const copy = structuredClone(model);
  edit(copy);
  return copy;
}

export interface ModelProblem {
  /** JSON pointer into the model, e.g. /vrrp/instances/0/vips/0/address. */
  path: string;
  message: string;
}

/** Why the model cannot be rendered (empty: it can). At most `max` problems. */
export function modelProblems(model: ClusterModel, max = 20): ModelProblem[] {
  const out: ModelProblem[] = [];
  for (const e of Value.Errors(ClusterModel, model)) {
    if (out.some((p) => p.path === e.path)) continue;
    out.push({ path: e.path, message: e.message });
    if (out.length >= max) break;
  }
  return out;
}

/** The comment lines at the top of a file, without their `#` (what the renderer writes back). */
export function leadingComments(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^#\s?(.*)$/.exec(line);
    if (!m) break;
    out.push(m[1] ?? '');
  }
  return out;
}

/**
 * The draft with every file the model describes rendered from it: each load balancer's
 * keepalived.conf, and its nginx.conf when the model has an nginx section. Files of hosts
 * the model does not name stay as they are.
 */
export function renderDraft(model: ClusterModel, hosts: readonly LiveHost[], draft: Draft): Draft {
  const out: Record<FileKey, string> = { ...draft };
  for (const h of hosts) {
    if (!model.loadBalancers.some((lb) => lb.name === h.host)) continue;
    const ka = mainFile(h, 'keepalived');
    if (ka)
      out[fileKey(h.host, 'keepalived')] = renderKeepalivedConf(model, h.host, {
        header: leadingComments(ka.content),
      });
    const ng = mainFile(h, 'nginx');
    if (ng && model.nginx)
      out[fileKey(h.host, 'nginx')] = renderNginxConf(model, h.host, {
        header: leadingComments(ng.content),
      });
  }
  return out;
}

/**
 * The draft after the form changed the model from `before` to `after`: only the files whose
 * rendering the change alters are replaced, so hand edits elsewhere and any byte the model
 * does not reproduce (an import that does not round-trip exactly) stay as they are.
 */
export function applyModelChange(
  before: ClusterModel,
  after: ClusterModel,
  hosts: readonly LiveHost[],
  draft: Draft,
): Draft {
  const was = renderDraft(before, hosts, draft);
  const now = renderDraft(after, hosts, draft);
  const out: Record<FileKey, string> = { ...draft };
  for (const key of Object.keys(now) as FileKey[]) {
    const next = now[key];
    if (next !== undefined && next !== was[key]) out[key] = next;
  }
  return out;
}

/** A whole number from a form field, or null when the text is not one. */
export function intOf(text: string): number | null {
  const t = text.trim();
  return /^-?[0-9]{1,6}$/.test(t) ? Number(t) : null;
}

/** A number (decimals allowed: VRRPv3 adverts) from a form field, or null. */
export function numberOf(text: string): number | null {
  const t = text.trim();
  return /^[0-9]{1,4}(\.[0-9]{1,3})?$/.test(t) ? Number(t) : null;
}

/** "10.77.0.50/24" → address and prefix (keepalived's default /32 when omitted). */
export function parseVip(text: string): { address: string; prefix: number } | null {
  const m = /^\s*([0-9.]{7,15})(?:\/([0-9]{1,2}))?\s*$/.exec(text);
  if (!m?.[1]) return null;
  const prefix = m[2] === undefined ? 32 : Number(m[2]);
  return prefix <= 32 ? { address: m[1], prefix } : null;
}

/** "10.77.0.21:8080" → host and port. */
export function parseBackend(text: string): { host: string; port: number } | null {
  const m = /^\s*([A-Za-z0-9.-]{1,253}):([0-9]{1,5})\s*$/.exec(text);
  if (!m?.[1] || m[2] === undefined) return null;
  const port = Number(m[2]);
  return port >= 1 && port <= 65535 ? { host: m[1], port } : null;
}
