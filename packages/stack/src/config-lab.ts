import type { ClusterConfigResponse, StatusResponse } from '@keepwatch/shared';
import { startStack, type Stack } from './stack';

/*
 * The stack the config tests start (the push lab test, the config page's e2e): the real lab
 * with agents granting `config`, the VIP on lb1, and both load balancers' keepalived and
 * nginx files reported to the server (GET config), plus the small REST helpers they share.
 */

export type ConfigLb = 'lb1' | 'lb2';
export const CONFIG_LBS: readonly ConfigLb[] = ['lb1', 'lb2'];
export type ConfigLiveFile = ClusterConfigResponse['hosts'][number]['files'][number];

export interface ConfigLab {
  stack: Stack;
  cluster: string;
  vip: string;
  /** An admin's REST call; a non-2xx answer throws with its status and body. */
  api<T>(method: string, path: string, body?: unknown): Promise<T>;
  getConfig(): Promise<ClusterConfigResponse>;
  stop(): Promise<void>;
}

/** Polls `probe` every 200 ms until it returns a value, at most `timeoutMs`. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A host's live file of one component in a GET config answer (throws when absent). */
export function liveFile(
  cfg: ClusterConfigResponse,
  host: string,
  component: 'nginx' | 'keepalived',
): ConfigLiveFile {
  const f = cfg.hosts.find((h) => h.host === host)?.files.find((x) => x.component === component);
  if (!f) throw new Error(`GET config has no ${component} file for ${host}`);
  return f;
}

const vipHolders = (s: StatusResponse, vip: string): string[] =>
  s.clusters.flatMap((c) => c.vips.filter((v) => v.address === vip)).flatMap((v) => v.holders);

/**
 * Starts the lab `prefix` on `subnet`.0/24 (cluster id = prefix, VIP .50) with every agent
 * granting `config` (lab agents are monitor-only by default, as installed hosts are), and
 * waits for the VIP on lb1 and both load balancers' two files in GET config.
 */
export async function startConfigLab(opts: {
  prefix: string;
  subnet: string;
  log?: (line: string) => void;
}): Promise<ConfigLab> {
  const vip = `${opts.subnet}.50`;
  const stack = await startStack({
    prefix: opts.prefix,
    subnet: opts.subnet,
    control: () => ['config'],
    ...(opts.log && { log: opts.log }),
  });
  const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${stack.url}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${stack.token}`,
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      body: body === undefined ? null : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const getConfig = () => api<ClusterConfigResponse>('GET', `/clusters/${opts.prefix}/config`);
  try {
    await stack.live.waitFor('VIP on lb1', (s) => vipHolders(s, vip).join() === 'lb1', 30_000);
    await until(
      'both load balancers report their nginx and keepalived files',
      async () => {
        const cfg = await getConfig();
        return CONFIG_LBS.every((h) => cfg.hosts.find((x) => x.host === h)?.files.length === 2)
          ? cfg
          : undefined;
      },
      30_000,
    );
  } catch (err) {
    await stack.stop();
    throw err;
  }
  return { stack, cluster: opts.prefix, vip, api, getConfig, stop: () => stack.stop() };
}
