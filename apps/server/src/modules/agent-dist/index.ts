import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyPluginCallback, FastifyReply } from 'fastify';
import { AgentDistManifest, AgentDistTrust, ApiError, type AgentDistFile } from '@keepwatch/shared';
import { INSTALL_SH } from './install-script';

/*
 * Agent distribution straight from the panel (never a third-party download site):
 *   GET /agent-dist/keepwatch-agent      Node single executable, linux-x64
 *   GET /agent-dist/keepwatch-agent.mjs  one-file bundle for any Node >= 20
 *   GET /agent-dist/manifest.json        name, arch, size and sha256 of each file present
 *   GET /agent-dist/install.sh           the installer (see install-script.ts)
 *   GET /agent-dist/trust                (admin) the served certificate's fingerprint and pin
 * Public on purpose (but trust): the binaries hold no secrets, and the enrollment token the
 * installer is given is what authorises a host. What makes the downloads trustworthy is the
 * transport: https with the pin or CA the one-liner carries (install-script.ts).
 */

export interface AgentDistOptions {
  /** Folder holding the agent build (apps/agent/dist). */
  dir: string;
  /** The certificate the server serves itself (KEEPWATCH_TLS_CERT), if any. */
  tls?: { fingerprint: string; pin: string } | undefined;
}

export const DIST_FILES = [
  { name: 'keepwatch-agent', arch: 'linux-x64', build: 'pnpm --filter @keepwatch/agent build:sea' },
  { name: 'keepwatch-agent.mjs', arch: 'node20', build: 'pnpm --filter @keepwatch/agent build' },
] as const;

export type ManifestFile = AgentDistFile;

/** One file object per line: install.sh reads it with grep and sed, without a JSON parser. */
export function renderManifest(files: ManifestFile[]): string {
  const lines = files.map((f) => `    ${JSON.stringify(f)}`);
  return `{\n  "files": [\n${lines.join(',\n')}\n  ]\n}\n`;
}

const hashCache = new Map<string, { key: string; sha256: string }>();

async function hashFile(path: string, key: string): Promise<string> {
  const hit = hashCache.get(path);
  if (hit?.key === key) return hit.sha256;
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  const sha256 = hash.digest('hex');
  hashCache.set(path, { key, sha256 });
  return sha256;
}

async function present(dir: string): Promise<ManifestFile[]> {
  const out: ManifestFile[] = [];
  for (const f of DIST_FILES) {
    const path = join(dir, f.name);
    const st = await stat(path).catch(() => undefined);
    if (!st?.isFile()) continue;
    out.push({
      name: f.name,
      arch: f.arch,
      size: st.size,
      sha256: await hashFile(path, `${st.size}:${st.mtimeMs}`),
    });
  }
  return out;
}

function notBuilt(reply: FastifyReply, name: string, build: string, dir: string): FastifyReply {
  return reply.code(404).send({
    error: 'not_built',
    message: `${name} is not built in ${dir}: run \`${build}\` on the panel host`,
  });
}

const agentDistModule: FastifyPluginCallback<AgentDistOptions> = (app, opts, done) => {
  const pub = (summary: string, response?: Record<number, unknown>) => ({
    config: { public: true },
    schema: { tags: ['agent-dist'], summary, ...(response && { response }) },
  });

  // A string payload skips serialization: the schema documents the JSON, renderManifest lays it out.
  app.get(
    '/agent-dist/manifest.json',
    pub('Name, arch, size and sha256 of each agent build present', { 200: AgentDistManifest }),
    async (_request, reply) =>
      reply.type('application/json').send(renderManifest(await present(opts.dir))),
  );

  app.get(
    '/agent-dist/trust',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['agent-dist'],
        summary:
          "The served certificate's sha256 fingerprint and public-key pin, for the install one-liner",
        response: { 200: AgentDistTrust, 401: ApiError, 403: ApiError },
      },
    },
    () => ({ fingerprint: opts.tls?.fingerprint ?? null, pin: opts.tls?.pin ?? null }),
  );

  app.get('/agent-dist/install.sh', pub('The agent installer (sh)'), (_request, reply) =>
    reply.type('text/x-shellscript; charset=utf-8').send(INSTALL_SH),
  );

  for (const f of DIST_FILES) {
    const summary = `Download ${f.name} (${f.arch}); 404 until built`;
    app.get(`/agent-dist/${f.name}`, pub(summary, { 404: ApiError }), async (_request, reply) => {
      const path = join(opts.dir, f.name);
      const st = await stat(path).catch(() => undefined);
      if (!st?.isFile()) return notBuilt(reply, f.name, f.build, opts.dir);
      return reply
        .type(
          f.name.endsWith('.mjs') ? 'text/javascript; charset=utf-8' : 'application/octet-stream',
        )
        .header('content-length', st.size)
        .header('content-disposition', `attachment; filename="${f.name}"`)
        .send(createReadStream(path));
    });
  }
  done();
};

export default agentDistModule;
