import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ActionResult, ConfigApplyParams, PushView } from '@keepwatch/shared';
import {
  PushRunner,
  type DropFacts,
  type GateFacts,
  type PlannedChange,
  type PushPorts,
} from './push-runner';

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
    afterDrop?: (host: string, t: number) => DropFacts;
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
    afterDrop: (host) => over.afterDrop?.(host, t) ?? { onlineSince: 0 },
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

  it('PU-4 waits while the MASTER is below the BACKUP (a takeover pending), then goes on once it happened', async () => {
    const start = 1_000_000;
    // lb1's check fails at start: effective 80 < lb2's 90; lb2 takes over 3.65 s later.
    const takeover = start + 3650;
    const h = harness({
      facts: (_host, t) =>
        t < takeover
          ? {
              holders: ['lb1'],
              vrrp: [
                { node: 'lb1', instance: 'VI_1', state: 'MASTER', effectivePriority: 80 },
                { node: 'lb2', instance: 'VI_1', state: 'BACKUP', effectivePriority: 90 },
              ],
            }
          : {
              holders: ['lb2'],
              lastTransitionAt: takeover,
              vrrp: [
                { node: 'lb1', instance: 'VI_1', state: 'BACKUP', effectivePriority: 80 },
                { node: 'lb2', instance: 'VI_1', state: 'MASTER', effectivePriority: 90 },
              ],
            },
    });
    const v = await new PushRunner(view(), changes, h.ports).run();
    const first = h.calls.find((c) => !c.params.dryRun);
    expect(first?.at).toBeGreaterThanOrEqual(takeover + 5000);
    expect(v.status, v.summary).toBe('succeeded');
  });

  it('PU-4 a takeover that never happens (peer nopreempt, say) stops the push, the reason named', async () => {
    const h = harness({
      facts: () => ({
        vrrp: [
          { node: 'lb1', instance: 'VI_1', state: 'MASTER', effectivePriority: 80 },
          { node: 'lb2', instance: 'VI_1', state: 'BACKUP', effectivePriority: 90 },
        ],
      }),
    });
    const v = await new PushRunner(view(), changes, h.ports).run();
    expect(v.status).toBe('failed');
    expect(h.calls.every((c) => c.params.dryRun)).toBe(true);
    expect(v.summary).toContain("MASTER lb1 at effective priority 80, below lb2's 90");
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
  describe('PU-10 an agent that drops mid-apply', () => {
    const sha = (s: string): string => createHash('sha256').update(s).digest('hex');
    const dropped = (code: string) =>
      Object.assign(new Error(`agent agent-lb2 ${code} before answering config.apply`), { code });
    /** lb2's first real nginx apply drops; the agent is back `backAfter` ms later. */
    function dropOnLb2(backAfter: number, facts: (t: number) => DropFacts) {
      let droppedAt: number | undefined;
      const h = harness({
        apply: (host, p) => {
          if (host === 'lb2' && p.component === 'nginx' && !p.dryRun && droppedAt === undefined) {
            droppedAt = h.now();
            return dropped('disconnected');
          }
          return undefined as never;
        },
        afterDrop: (_host, t) => {
          const at = droppedAt ?? t;
          return t < at + backAfter ? {} : { onlineSince: at + backAfter, ...facts(t) };
        },
      });
      return { h, droppedAt: () => droppedAt ?? 0 };
    }
    const late = (ok: boolean, code?: string): ActionResult => ({
      ...failed(code ?? 'failed', 'restored')(),
      ok,
      ...(ok && { error: undefined }),
    });

    it('waits for the agent and goes on when its late result says applied', async () => {
      const { h, droppedAt } = dropOnLb2(10_000, () => ({ late: late(true) }));
      const v = await new PushRunner(view(), changes, h.ports).run();
      expect(v.status, v.summary).toBe('succeeded');
      const lb2 = v.hosts.find((x) => x.host === 'lb2');
      expect(lb2?.status).toBe('applied');
      expect(lb2?.steps.map((s) => s.step)).toContain('apply nginx: outcome after the drop');
      // The next change was sent only once the agent was back.
      const next = h.calls.find(
        (c) => c.host === 'lb2' && c.params.component === 'keepalived' && !c.params.dryRun,
      );
      expect(next?.at).toBeGreaterThanOrEqual(droppedAt() + 10_000);
    });

    it('a late result rolled_back stops the push; the host is reported rolled back', async () => {
      const { h } = dropOnLb2(2000, () => ({ late: late(false, 'rolled_back') }));
      const v = await new PushRunner(view(), changes, h.ports).run();
      expect(v.status).toBe('rolled_back');
      expect(v.hosts.find((x) => x.host === 'lb2')?.status).toBe('rolled_back');
      expect(h.calls.some((c) => c.host === 'lb1' && !c.params.dryRun)).toBe(false);
    });

    it('no result but the pushed file is live: the same file again, so the agent reloads and verifies', async () => {
      const { h } = dropOnLb2(3000, () => ({ liveHash: sha('new nginx') }));
      const v = await new PushRunner(view(), changes, h.ports).run();
      expect(v.status, v.summary).toBe('succeeded');
      const lb2nginx = h.calls.filter(
        (c) => c.host === 'lb2' && c.params.component === 'nginx' && !c.params.dryRun,
      );
      expect(lb2nginx).toHaveLength(2);
      expect(lb2nginx[1]?.params).toMatchObject({
        content: 'new nginx',
        baseHash: sha('new nginx'),
      });
    });

    it('no result and the previous file still live: not installed, the push stops there', async () => {
      const { h, droppedAt } = dropOnLb2(3000, () => ({ liveHash: 'a'.repeat(64) }));
      const v = await new PushRunner(view(), changes, h.ports).run();
      expect(v.status).toBe('failed');
      expect(v.summary).toContain('was not installed');
      const lb2 = v.hosts.find((x) => x.host === 'lb2');
      expect(lb2?.status).toBe('failed');
      expect(lb2?.finishedAt).toBeGreaterThanOrEqual(droppedAt() + 3000 + 5000);
      // Nothing to put back, the MASTER never touched.
      expect(h.calls.filter((c) => !c.params.dryRun)).toHaveLength(1);
    });

    it('an agent that does not come back within the bound: stopped, the change named as unknown', async () => {
      const { h, droppedAt } = dropOnLb2(Number.POSITIVE_INFINITY, () => ({}));
      const v = await new PushRunner(view(), changes, h.ports).run();
      expect(v.status).toBe('failed');
      expect(v.summary).toMatch(
        /check lb2 nginx \(the agent did not come back with an answer within 60000 ms\)/,
      );
      expect(h.now() - droppedAt()).toBeGreaterThanOrEqual(60_000);
      expect(h.now() - droppedAt()).toBeLessThan(61_000);
      expect(h.calls.some((c) => c.host === 'lb1' && !c.params.dryRun)).toBe(false);
    });

    it('a drop on the MASTER after the BACKUP was applied, agent never back: the BACKUP is put back', async () => {
      const h = harness({
        apply: (host, p) =>
          host === 'lb1' && !p.dryRun ? dropped('timeout') : (undefined as never),
        afterDrop: () => ({}),
      });
      const v = await new PushRunner(view(), changes, h.ports).run();
      expect(v.status).toBe('failed');
      expect(v.summary).toContain('lb1 nginx');
      expect(v.summary).toContain('not known whether installed');
      expect(v.hosts.find((x) => x.host === 'lb2')?.status).toBe('rolled_back');
    });
  });
});
