import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { PushView } from '@keepwatch/shared';
import { postgresBackend, sqliteBackend } from './contract-backends';
import type { LiveFile, NewChangeset } from './config-repository';
import type { Repositories } from './repositories';

/*
 * The configuration part of the storage contract (config-repository.ts), one suite on SQLite
 * and on a real PostgreSQL: live files, changesets with their files, pushes and PU-9's
 * "still running" read on start.
 */

const T0 = 1_800_000_000_000;

const live = (
  node: string,
  component: 'nginx' | 'keepalived',
  over: Partial<LiveFile> = {},
): LiveFile => ({
  clusterId: 'c1',
  node,
  component,
  agentId: `agent-${node}`,
  path: `/etc/${component}/${component}.conf`,
  sha256: `${node}-${component}-1`,
  content: `# ${node} ${component}\n`,
  includes: [],
  observedAt: T0,
  ...over,
});

const changeset = (
  id: string,
  createdAt: number,
  over: Partial<NewChangeset> = {},
): NewChangeset => ({
  id,
  clusterId: 'c1',
  createdAt,
  author: 'alice',
  message: `change ${id}`,
  files: [
    {
      host: 'lb2',
      component: 'nginx',
      path: '/etc/nginx/nginx.conf',
      sha256: 'b',
      content: 'B',
      changed: true,
    },
    {
      host: 'lb1',
      component: 'nginx',
      path: '/etc/nginx/nginx.conf',
      sha256: 'a',
      content: 'A',
      changed: false,
    },
  ],
  ...over,
});

const push = (id: string, createdAt: number, over: Partial<PushView> = {}): PushView => ({
  id,
  clusterId: 'c1',
  status: 'running',
  hosts: [
    { host: 'lb2', status: 'pending', role: 'backup', order: 0, components: ['nginx'], steps: [] },
  ],
  summary: 'validating on every host',
  message: 'raise worker_connections',
  author: 'alice',
  dryRun: false,
  createdAt,
  ...over,
});

describe.each([sqliteBackend(), postgresBackend()])('config contract on $name', (backend) => {
  let r: Repositories;
  beforeAll(() => backend.setup());
  afterAll(() => backend.teardown());
  beforeEach(async () => {
    r = await backend.fresh();
  });

  it('keeps one live file per host and component: a new observation replaces the old one', async () => {
    await r.config.saveLive(live('lb2', 'nginx'));
    await r.config.saveLive(live('lb1', 'keepalived'));
    await r.config.saveLive(live('lb1', 'nginx'));
    const test = { ok: false, code: 1, output: 'unknown directive' };
    const includes = [{ path: '/etc/nginx/conf.d/a.conf', sha256: 'i', content: 'x' }];
    await r.config.saveLive(
      live('lb1', 'nginx', { sha256: 'new', includes, test, observedAt: T0 + 5 }),
    );
    const files = await r.config.liveOf('c1');
    expect(files.map((f) => `${f.node}/${f.component}/${f.sha256}`)).toEqual([
      'lb1/keepalived/lb1-keepalived-1',
      'lb1/nginx/new',
      'lb2/nginx/lb2-nginx-1',
    ]);
    expect(await r.config.liveFile('c1', 'lb1', 'nginx')).toEqual(
      live('lb1', 'nginx', { sha256: 'new', includes, test, observedAt: T0 + 5 }),
    );
    expect(await r.config.liveFile('c1', 'lb3', 'nginx')).toBeUndefined();
    expect(await r.config.liveOf('c2')).toEqual([]);
  });

  it("lists every cluster's live files by cluster, host and component", async () => {
    await r.config.saveLive(live('lb1', 'nginx', { clusterId: 'c2' }));
    await r.config.saveLive(live('lb2', 'keepalived'));
    await r.config.saveLive(live('lb1', 'keepalived'));
    expect(
      (await r.config.allLive()).map((f) => `${f.clusterId}/${f.node}/${f.component}`),
    ).toEqual(['c1/lb1/keepalived', 'c1/lb2/keepalived', 'c2/lb1/nginx']);
  });

  it("finds an agent's cluster and node from the agents table", async () => {
    await r.ingest.commit([
      {
        kind: 'hello',
        agentId: 'a1',
        cluster: { id: 'c1', name: 'C1' },
        nodeName: 'lb1',
        role: 'lb',
        facts: '{}',
        capabilities: '{}',
        at: T0,
      },
    ]);
    expect(await r.config.agentNode('a1')).toEqual({ clusterId: 'c1', node: 'lb1' });
    expect(await r.config.agentNode('nobody')).toBeUndefined();
  });

  it('stores a changeset with its files and lists changesets newest first', async () => {
    await r.config.addChangeset(changeset('cs-a', T0, { author: 'system' }));
    await r.config.addChangeset(changeset('cs-b', T0 + 10, { pushId: 'push-1' }));
    await r.config.addChangeset(
      changeset('cs-c', T0 + 20, { rollbackOf: 'cs-a', pushId: 'push-2' }),
    );
    await r.config.addChangeset(changeset('cs-x', T0 + 30, { clusterId: 'c2' }));
    const list = await r.config.changesets('c1');
    expect(list.map((c) => c.id)).toEqual(['cs-c', 'cs-b', 'cs-a']);
    expect(list[0]).toEqual({
      id: 'cs-c',
      clusterId: 'c1',
      author: 'alice',
      createdAt: T0 + 20,
      message: 'change cs-c',
      pushId: 'push-2',
      rollbackOf: 'cs-a',
      files: [
        {
          host: 'lb1',
          component: 'nginx',
          path: '/etc/nginx/nginx.conf',
          sha256: 'a',
          changed: false,
        },
        {
          host: 'lb2',
          component: 'nginx',
          path: '/etc/nginx/nginx.conf',
          sha256: 'b',
          changed: true,
        },
      ],
    });
    expect((await r.config.changesets('c1', 2)).map((c) => c.id)).toEqual(['cs-c', 'cs-b']);
    expect((await r.config.latestChangeset('c1'))?.id).toBe('cs-c');
    expect(await r.config.latestChangeset('c3')).toBeUndefined();
    const detail = await r.config.changeset('cs-a');
    expect(detail?.contents.map((f) => `${f.host}:${f.content}`)).toEqual(['lb1:A', 'lb2:B']);
    expect(detail).not.toHaveProperty('pushId');
    expect(await r.config.changeset('cs-none')).toBeUndefined();
  });

  it('writes a changeset whole or not at all', async () => {
    const twice = changeset('cs-bad', T0);
    const first = twice.files[0];
    if (first) twice.files.push(first); // the same (host, component) twice: the key refuses it
    await expect(r.config.addChangeset(twice)).rejects.toThrow();
    expect(await r.config.changeset('cs-bad')).toBeUndefined();
    expect(await r.config.changesets('c1')).toEqual([]);
  });

  it('stores a push, its progress and its end, and lists pushes newest first', async () => {
    await r.config.createPush(push('push-1', T0), [
      { host: 'lb2', component: 'nginx', content: 'worker_connections 4096;' },
    ]);
    const done = push('push-1', T0, {
      status: 'succeeded',
      summary: 'applied on lb2',
      finishedAt: T0 + 5,
      changesetId: 'cs-b',
      hosts: [
        {
          host: 'lb2',
          status: 'applied',
          role: 'backup',
          order: 0,
          components: ['nginx'],
          steps: [],
        },
      ],
    });
    await r.config.savePush(done);
    // PU-14: the next push of the cluster once push-1 is no longer running.
    expect(
      await r.config.createPush(push('push-2', T0 + 10, { dryRun: true, rollbackOf: 'cs-a' }), []),
    ).toEqual({ ok: true });
    expect(await r.config.push('push-1')).toEqual(done);
    expect(await r.config.push('push-2')).toEqual(
      push('push-2', T0 + 10, { dryRun: true, rollbackOf: 'cs-a' }),
    );
    expect(await r.config.push('push-3')).toBeUndefined();
    expect((await r.config.pushes('c1')).map((p) => p.id)).toEqual(['push-2', 'push-1']);
    expect((await r.config.pushes('c1', 1)).map((p) => p.id)).toEqual(['push-2']);
    expect((await r.config.runningPushes()).map((p) => p.id)).toEqual(['push-2']);
  });

  it('PU-14: a push of a cluster with one running (on any replica) is refused, naming it', async () => {
    expect(await r.config.createPush(push('push-a', T0), [], 'A')).toEqual({ ok: true });
    expect(await r.config.createPush(push('push-b', T0 + 1, { author: 'bob' }), [], 'B')).toEqual({
      ok: false,
      holder: { kind: 'push', id: 'push-a', by: 'alice', owner: 'A' },
    });
    expect(await r.config.push('push-b')).toBeUndefined();
    // Another cluster is free; a single server's push names no replica.
    expect(await r.config.createPush(push('push-c', T0, { clusterId: 'c2' }), [])).toEqual({
      ok: true,
    });
    expect(await r.config.createPush(push('push-d', T0, { clusterId: 'c2' }), [], 'A')).toEqual({
      ok: false,
      holder: { kind: 'push', id: 'push-c', by: 'alice', owner: null },
    });
    // Once it ended (or was interrupted), the cluster takes the next one.
    await r.config.interruptPush(push('push-a', T0, { status: 'interrupted', finishedAt: T0 + 2 }));
    expect(await r.config.createPush(push('push-b', T0 + 3), [], 'B')).toEqual({ ok: true });
  });

  it('PU-14: four replicas starting a push on one cluster at once store exactly one', async () => {
    // Repeated: one round can serialise by luck; the lock must hold every time.
    for (let round = 0; round < 5; round++) {
      const clusterId = `race-${round}`;
      const results = await Promise.all(
        [1, 2, 3, 4].map((n) =>
          r.config.createPush(push(`push-${round}-${n}`, T0 + n, { clusterId }), [], `R${n}`),
        ),
      );
      const won = results.filter((x) => x.ok);
      expect(won).toHaveLength(1);
      const stored = await r.config.pushes(clusterId);
      expect(stored.map((p) => p.status)).toEqual(['running']);
      for (const x of results) if (!x.ok) expect(x.holder.id).toBe(stored[0]?.id);
    }
  });
});
