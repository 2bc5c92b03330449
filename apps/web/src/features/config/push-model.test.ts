import { describe, expect, it } from 'vitest';
import type { ChangesetSummary, ConfigFinding, PushHost, PushView } from '@keepwatch/shared';
import type { PushChange } from './config-draft';
import {
  changesSignature,
  dryRunBlock,
  hostError,
  mergeProgress,
  nextShownPush,
  previousChangeset,
  pushBlock,
  pushRefusal,
  rolloutRows,
  type PushGateInput,
} from './push-model';

const change = (host: string, content = 'x'): PushChange => ({
  host,
  component: 'keepalived',
  content,
  baseHash: 'a'.repeat(64),
});
const host = (name: string, over: Partial<PushHost> = {}): PushHost => ({
  host: name,
  status: 'pending',
  role: 'backup',
  order: 0,
  components: ['keepalived'],
  steps: [],
  ...over,
});
const push = (over: Partial<PushView> = {}): PushView => ({
  id: 'p1',
  clusterId: 'c',
  status: 'running',
  hosts: [host('lb1')],
  summary: '',
  message: 'm',
  author: 'op',
  dryRun: false,
  createdAt: 0,
  ...over,
});
const critical: ConfigFinding = {
  id: 'CM-1',
  rule: 'CONFIG_MISMATCH',
  severity: 'critical',
  nodes: [],
  at: [],
  message: { en: '', 'zh-CN': '' },
  fix: { en: '', 'zh-CN': '' },
};

describe('the push gate', () => {
  const changes = [change('lb1'), change('lb2')];
  const gate = (over: Partial<PushGateInput> = {}): PushGateInput => ({
    changes,
    findings: [],
    message: 'lower lb2',
    current: null,
    dryRunPassedFor: null,
    runningElsewhere: false,
    ...over,
  });

  it('offers a dry run for changes with a message, and nothing without changes', () => {
    expect(dryRunBlock(gate())).toBeNull();
    expect(dryRunBlock(gate({ changes: [] }))).toBe('no-changes');
    expect(dryRunBlock(gate({ message: '  ' }))).toBe('no-message');
  });

  it('offers nothing while a push runs, here or elsewhere', () => {
    expect(dryRunBlock(gate({ current: push() }))).toBe('push-running');
    expect(dryRunBlock(gate({ runningElsewhere: true }))).toBe('push-running');
    expect(dryRunBlock(gate({ current: push({ status: 'failed' }) }))).toBeNull();
  });

  it('pushes only after a dry run of exactly these changes passed', () => {
    expect(pushBlock(gate())).toBe('need-dry-run');
    const sig = changesSignature(changes);
    expect(pushBlock(gate({ dryRunPassedFor: sig }))).toBeNull();
    // Order of the files does not matter, their content does.
    expect(
      pushBlock(gate({ dryRunPassedFor: changesSignature([...changes].reverse()) })),
    ).toBeNull();
    const edited = [change('lb1', 'y'), change('lb2')];
    expect(pushBlock(gate({ changes: edited, dryRunPassedFor: sig }))).toBe('need-dry-run');
  });

  it('never pushes a draft with a critical finding', () => {
    const sig = changesSignature(changes);
    expect(pushBlock(gate({ dryRunPassedFor: sig, findings: [critical] }))).toBe(
      'critical-findings',
    );
  });
});

describe('progress', () => {
  it('takes a newer view of the same push, never an older one or another push', () => {
    const step = { at: 1, step: 'validate keepalived', ok: true };
    const one = push({ hosts: [host('lb2', { steps: [step] })] });
    const two = push({ hosts: [host('lb2', { steps: [step, step] })] });
    expect(mergeProgress(one, two)).toBe(two);
    expect(mergeProgress(two, one)).toBe(two);
    expect(mergeProgress(one, push({ id: 'other' }))).toBe(one);
    expect(mergeProgress(null, one)).toBeNull();
    const done = push({ status: 'succeeded' });
    expect(mergeProgress(done, two)).toBe(done);
  });

  it('shows a push that starts on the cluster once the shown one has finished', () => {
    const dry = push({ id: 'd1', dryRun: true, status: 'succeeded' });
    const real = push({ id: 'p2' });
    expect(nextShownPush(null, real)).toBe(real);
    expect(nextShownPush(dry, real)).toBe(real);
    expect(nextShownPush(push({ id: 'p3' }), real)?.id).toBe('p3');
    // A finished push of someone else does not replace what is shown.
    expect(nextShownPush(dry, push({ id: 'p4', status: 'failed' }))).toBe(dry);
    expect(nextShownPush(null, push({ id: 'p4', status: 'failed' }))).toBeNull();
  });

  it('lists hosts in rollout order', () => {
    const p = push({
      hosts: [host('lb1', { order: 1, role: 'master' }), host('lb2', { order: 0 })],
    });
    expect(rolloutRows(p).map((h) => h.host)).toEqual(['lb2', 'lb1']);
  });

  it('shows the error exactly as sent, else the failed step’s detail', () => {
    expect(hostError(host('lb2', { error: 'nginx: [emerg] unknown directive "x"' }))).toBe(
      'nginx: [emerg] unknown directive "x"',
    );
    expect(
      hostError(
        host('lb2', {
          steps: [
            { at: 1, step: 'validate', ok: true, detail: 'ok' },
            { at: 2, step: 'gate: VIP served', ok: false, detail: 'GET http://10.0.0.50/ refused' },
          ],
        }),
      ),
    ).toBe('GET http://10.0.0.50/ refused');
    expect(hostError(host('lb2'))).toBeNull();
  });
});

describe('versions', () => {
  const cs = (id: string): ChangesetSummary => ({
    id,
    clusterId: 'c',
    author: 'a',
    createdAt: 0,
    message: '',
    files: [],
  });
  it('finds the version before one in a newest-first list', () => {
    const list = [cs('3'), cs('2'), cs('1')];
    expect(previousChangeset(list, '3')?.id).toBe('2');
    expect(previousChangeset(list, '1')).toBeNull();
    expect(previousChangeset(list, 'x')).toBeNull();
  });
});

describe('pushRefusal', () => {
  it('tells a stale live file from a running push or drill, and both from the rest', () => {
    expect(pushRefusal(409, 'conflict')).toBe('conflict');
    expect(pushRefusal(409, 'busy')).toBe('busy');
    expect(pushRefusal(409, 'critical_findings')).toBe('other');
    expect(pushRefusal(400, 'conflict')).toBe('other');
    expect(pushRefusal(undefined, undefined)).toBe('other');
  });
});
