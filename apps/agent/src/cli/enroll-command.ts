import { readFile, mkdir } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import { dirname } from 'node:path';
import { transportOptions } from '../tls-connect';
import { insecureTransportError, toHttpUrl } from '../tls';
import { AGENT_VERSION } from '../version';
import { writeFileAtomic } from './atomic-file';
import { defaultNodeName, enrolledConfig } from './enroll-config';
import { postJson } from './http-post';

export interface EnrollOptions {
  server: string;
  token: string;
  config: string;
  name?: string | undefined;
  cluster?: string | undefined;
  role: 'lb' | 'backend';
  caFile?: string | undefined;
  fingerprint?: string | undefined;
  allowInsecure: boolean;
  /** The panel's other server replicas (written to server.replicas). */
  replicas?: string[];
  stateDir?: string | undefined;
  hostname?: string;
  out: (line: string) => void;
}

async function existingConfig(path: string): Promise<Record<string, unknown> | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  const v = JSON.parse(text) as unknown;
  return v && typeof v === 'object' && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}

function refusal(status: number, body: unknown): string {
  const message = body && typeof body === 'object' ? (body as { message?: unknown }).message : body;
  return `the panel refused the enrollment (HTTP ${status}): ${typeof message === 'string' ? message : JSON.stringify(message)}`;
}

/** Exchanges the one-time token for a credential and writes the config (0600, root-owned). */
export async function enroll(opts: EnrollOptions): Promise<{ agentId: string }> {
  const trust = {
    url: opts.server,
    caFile: opts.caFile,
    fingerprint: opts.fingerprint,
    allowInsecure: opts.allowInsecure,
  };
  const transport = await transportOptions(trust);
  for (const url of opts.replicas ?? []) {
    const refused = insecureTransportError({ ...trust, url });
    if (refused) throw new Error(`--replicas: ${refused}`);
  }
  const host = opts.hostname ?? osHostname();
  const name = opts.name ?? defaultNodeName(host);
  const payload = {
    token: opts.token,
    hostname: host,
    name,
    role: opts.role,
    agentVersion: AGENT_VERSION,
    ...(opts.cluster && { clusterId: opts.cluster }),
  };
  const res = await postJson(`${toHttpUrl(opts.server)}/api/v1/agents/enroll`, payload, transport);
  const body = res.body as { agentId?: unknown; credential?: unknown };
  if (
    res.status !== 200 ||
    typeof body.agentId !== 'string' ||
    typeof body.credential !== 'string'
  ) {
    throw new Error(refusal(res.status, res.body));
  }
  const config = enrolledConfig(
    {
      agentId: body.agentId,
      credential: body.credential,
      serverUrl: opts.server,
      name,
      role: opts.role,
      cluster: opts.cluster ?? 'default',
      caFile: opts.caFile,
      fingerprint: opts.fingerprint,
      allowInsecure: opts.allowInsecure,
      stateDir: opts.stateDir,
      replicas: opts.replicas,
    },
    await existingConfig(opts.config),
  );
  await mkdir(dirname(opts.config), { recursive: true, mode: 0o755 });
  // The credential is the agent's password: root-only.
  const owner = process.getuid?.() === 0 ? { uid: 0, gid: 0 } : undefined;
  await writeFileAtomic(opts.config, `${JSON.stringify(config, null, 2)}\n`, 0o600, owner);
  opts.out(`enrolled as ${body.agentId}; wrote ${opts.config} (mode 0600)`);
  return { agentId: body.agentId };
}
