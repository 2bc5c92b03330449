import { describe, expect, it } from 'vitest';
import type { ActionResult, ConfigApplyParams, PushView } from '@keepwatch/shared';
import { PushRunner, type GateFacts, type PlannedChange, type PushPorts } from './push-runner';

/* The rollout on a fake clock (sleep advances `now`), named after SPEC.md's PU rules. */

interface Call {
  host: string;
  params: ConfigApplyParams;
  at: number;
}

function harness(
  over: {
    apply?: (host: string, p: ConfigApplyParams) => ActionResult | Error;
    facts?: (host: string, t: number) => Partial<GateFacts>;
    served?: (url: string) => boolean;
  } = {},
) {
  let t = 1_000_000;
  const calls: Call[] = [];
  const ok = (id: string): ActionResult => ({
    type: 'action.result',
    seq: 1,
    ts: t,
    id,
    action: 'config.apply',
    ok: true,
    steps: [],
    startedAt: t,
    finishedAt: t,
  });
  const ports: PushPorts = {
    now: () => t,
    sleep: (ms) => {
      t += ms;
      return Promise.resolve();
    },
    apply: (host, params) => {
      calls.push({ host, params, at: t });
      const r = over.apply?.(host, params) ?? ok(`a${calls.length}`);
      return r instanceof Error ? Promise.reject(r) : Promise.resolve(r);
    },
    facts: (host) => ({
      online: true,
      nginxHealthy: true,
      holders: ['lb1'],
      lastTransitionAt: 0,
      address: host === 'lb1' ? '10.77.0.11' : '10.77.0.12',
      vips: ['10.77.0.50'],
      ...over.facts?.(host, t),
    }),
    served: (url) => Promise.resolve({ ok: over.served?.(url) ?? true, detail: 'HTTP 200' }),
    update: () => {},
  };
  return { ports, calls, now: () => t };
}

function view(dryRun = false): PushView {
  return {
    id: 'push-1',
    clusterId: 'lab',
    status: 'running',
    summary: '',
    message: 'm',
    author: 'alice',
    dryRun,
    createdAt: 0,
    hosts: [
      {
        host: 'lb2',
        status: 'pending',
        role: 'backup',
        order: 0,
        components: ['nginx', 'keepalived'],
        steps: [],
      },
      {
        host: 'lb1',
        status: 'pending',
        role: 'master',
        order: 1,
        components: ['nginx', 'keepalived'],
        steps: [],
      },
    ],
  };
}

const changes: PlannedChange[] = ['lb1', 'lb2'].flatMap((host) =>
  (['keepalived', 'nginx'] as const).map((component) => ({
    host,
    component,
    content: `new ${component}`,
    baseHash: 'a'.repeat(64),
    previous: `old ${component}`,
  })),
);

const failed = (code: string, message: string) => (): ActionResult => ({
  type: 'action.result',
  seq: 1,
  ts: 1,
  id: 'x',
  action: 'config.apply',
  ok: false,
  error: { code, message },
  steps: [],
  startedAt: 1,
  finishedAt: 1,
});

describe('PushRunner', () => {
  it('PU-2 validates every change on every host before installing anything', async () => {
    const h = harness();
    const v = await new PushRunner(view(), changes, h.ports).run();
    expect(v.status).toBe('succeeded');
    const firstInstall = h.calls.findIndex((c) => !c.params.dryRun);
    expect(h.calls.slice(0, firstInstall).map((c) => `${c.host}:${c.params.component}`)).toEqual([
      'lb2:nginx',
      'lb2:keepalived',
      'lb1:nginx',
      'lb1:keepalived',
    ]);
    expect(h.calls.slice(firstInstall).every((c) => c.params.dryRun === undefined)).toBe(true);
  });

  it('PU-2 a change failing its test stops the push with nothing installed and the agent text', async () => {
    const h = harness({
      apply: (host, p) =>
        host === 'lb1' && p.component === 'keepalived'
          ? failed('validation_failed', "(Line 5) Unknown keyword 'bogus'")()
          : (undefined as never),
    });
    const v = await new PushRunner(view(), changes, h.ports).run();
    expect(v.status).toBe('failed');
    expect(h.calls.every((c) => c.params.dryRun)).toBe(true);
    expect(v.hosts.find((x) => x.host === 'lb1')?.error).toContain("Unknown keyword 'bogus'");
  });

  it('PU-2 a dry run ends after validation', async () => {
    const h = harness();
    const v = await new PushRunner(view(true), changes, h.ports).run();
    expect(v.status).toBe('succeeded');
    expect(v.hosts.map((x) => x.status)).toEqual(['validated', 'validated']);
    expect(h.calls.every((c) => c.params.dryRun)).toBe(true);
  });

  it('PU-3/PU-5 BACKUP first, the MASTER last; nginx before keepalived; base hashes passed on', async () => {
    const h = harness();
    await new PushRunner(view(), changes, h.ports).run();
    const installs = h.calls.filter((c) => !c.params.dryRun);
    expect(installs.map((c) => `${c.host}:${c.params.component}`)).toEqual([
      'lb2:nginx',
      'lb2:keepalived',
      'lb1:nginx',
      'lb1:keepalived',
    ]);
    expect(installs.every((c) => c.params.baseHash === 'a'.repeat(64))).toBe(true);
  });

  it('PU-4 waits out a recent VRRP transition (the fail-back window) before a reload', async () => {
    const start = 1_000_000;
    const h = harness({ facts: () => ({ lastTransitionAt: start - 1000 }) });
    await new PushRunner(view(), changes, h.ports).run();
    const first = h.calls.find((c) => !c.params.dryRun);
    expect(first?.at).toBeGreaterThanOrEqual(start - 1000 + 5000);
  });

  it('PU-4 a cluster that never settles is not reloaded', async () => {
    const h = harness({ facts: (_host, t) => ({ lastTransitionAt: t - 100 }) });
    const v = await new PushRunner(view(), changes, h.ports).run();
    expect(v.status).toBe('failed');
    expect(h.calls.every((c) => c.params.dryRun)).toBe(true);
    expect(v.summary).toContain('not stable');
  });

  it('PU-6/PU-7 a BACKUP failing its gate is put back and the MASTER is never touched', async () => {
    const h = harness({ served: (url) => !url.includes('10.77.0.12') });
    const v = await new PushRunner(view(), changes, h.ports).run();
    expect(v.status).toBe('rolled_back');
    expect(h.calls.filter((c) => c.host === 'lb1' && !c.params.dryRun)).toEqual([]);
    const back = h.calls.filter((c) => c.host === 'lb2' && !c.params.dryRun).slice(2);
    expect(back.map((c) => c.params.content)).toEqual(['old keepalived', 'old nginx']);
    expect(v.hosts.find((x) => x.host === 'lb2')?.status).toBe('rolled_back');
    expect(v.hosts.find((x) => x.host === 'lb1')?.status).toBe('skipped');
  });

  it('PU-6 a VIP move after a reload fails the gate', async () => {
    let installs = 0;
    const h = harness({
      apply: (_h, p) => {
        if (!p.dryRun) installs += 1;
        return undefined as never;
      },
      facts: () => ({ holders: installs >= 2 && installs < 4 ? ['lb2'] : ['lb1'] }),
    });
    const v = await new PushRunner(view(), changes, h.ports).run();
    expect(v.status).toBe('rolled_back');
    expect(v.hosts.find((x) => x.host === 'lb2')?.error).toContain('the VIP moved');
  });

  it('PU-7 an agent that drops mid-push stops the rollout; hosts changed before are put back', async () => {
    const h = harness({
      apply: (host, p) =>
        host === 'lb1' && !p.dryRun
          ? new Error('agent agent-lb1 disconnected before answering config.apply')
          : (undefined as never),
    });
    const v = await new PushRunner(view(), changes, h.ports).run();
    expect(v.status).toBe('rolled_back');
    expect(v.summary).toContain('disconnected');
    expect(v.hosts.find((x) => x.host === 'lb2')?.status).toBe('rolled_back');
  });

  it('PU-7 a host the agent rolled back by itself is reported so, with its text', async () => {
    const h = harness({
      apply: (host, p) =>
        host === 'lb2' && p.component === 'nginx' && !p.dryRun && p.content.startsWith('new')
          ? failed(
              'rolled_back',
              'nginx did not answer its probe after the reload; the previous config was restored and reloaded',
            )()
          : (undefined as never),
    });
    const v = await new PushRunner(view(), changes, h.ports).run();
    expect(v.status).toBe('rolled_back');
    expect(v.hosts.find((x) => x.host === 'lb2')?.status).toBe('rolled_back');
    expect(v.hosts.find((x) => x.host === 'lb2')?.error).toContain('did not answer its probe');
    expect(h.calls.some((c) => c.host === 'lb1' && !c.params.dryRun)).toBe(false);
  });

  it('PU-7 an offline agent stops the push before its reload', async () => {
    const h = harness({ facts: (host) => (host === 'lb2' ? { online: false } : {}) });
    const v = await new PushRunner(view(), changes, h.ports).run();
    expect(v.status).toBe('failed');
    expect(v.summary).toContain('offline');
  });
});
