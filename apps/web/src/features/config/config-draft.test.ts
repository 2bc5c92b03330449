import { describe, expect, it } from 'vitest';
import { exampleClusterModel, type ConfigFinding } from '@keepwatch/shared';
import {
  analyseDraft,
  carryDraft,
  diagnosticsFor,
  draftHosts,
  editableFiles,
  fileKey,
  initialDraft,
  lineSpan,
  pendingChanges,
  type LiveHost,
} from './config-draft';
import { exampleHosts } from './test-fixtures';

describe('the draft', () => {
  const hosts = exampleHosts();

  it('starts as the live main files, one per host and component', () => {
    const draft = initialDraft(hosts);
    expect(Object.keys(draft)).toEqual([
      'lb1/keepalived',
      'lb1/nginx',
      'lb2/keepalived',
      'lb2/nginx',
    ]);
    expect(draft['lb2/nginx']).toBe(hosts[1]?.files[1]?.content);
  });

  it('edits the main files; their includes go to analysis as observed', () => {
    const withInclude: LiveHost[] = [
      {
        host: 'lb1',
        files: [
          {
            component: 'keepalived',
            path: '/etc/keepalived/keepalived.conf',
            sha256: 'a',
            content: 'include /etc/keepalived/x.conf\n',
            includes: [{ path: '/etc/keepalived/x.conf', content: 'global_defs {\n}\n' }],
          },
        ],
      },
    ];
    expect(editableFiles(withInclude).map((e) => e.file.path)).toEqual([
      '/etc/keepalived/keepalived.conf',
    ]);
    expect(draftHosts(withInclude, initialDraft(withInclude))[0]?.keepalived?.includes).toEqual([
      { path: '/etc/keepalived/x.conf', content: 'global_defs {\n}\n' },
    ]);
  });

  it('pushes only the changed files, each with the live sha256 as its base', () => {
    const draft = { ...initialDraft(hosts), [fileKey('lb2', 'keepalived')]: 'changed\n' };
    expect(pendingChanges(hosts, draft)).toEqual([
      { host: 'lb2', component: 'keepalived', content: 'changed\n', baseHash: 'ka1' },
    ]);
    expect(pendingChanges(hosts, initialDraft(hosts))).toEqual([]);
  });

  it('analyses the draft, not the live files', () => {
    const clean = analyseDraft(hosts, initialDraft(hosts));
    expect(clean.filter((f) => f.severity !== 'info')).toEqual([]);
    const draft = {
      ...initialDraft(hosts),
      'lb2/keepalived': (initialDraft(hosts)['lb2/keepalived'] ?? '').replace(
        'virtual_router_id 51',
        'virtual_router_id 52',
      ),
    };
    const findings = analyseDraft(hosts, draft);
    expect(findings.map((f) => f.id)).toContain('CM-1');
  });

  it('keeps the edited files when the live files are read again (after a failed push)', () => {
    const after = hosts.map((h) =>
      h.host === 'lb1'
        ? {
            ...h,
            files: h.files.map((f) =>
              f.component === 'nginx' ? { ...f, content: `${f.content}# changed on lb1\n` } : f,
            ),
          }
        : h,
    );
    const draft = { ...initialDraft(hosts), 'lb2/keepalived': 'my edit\n' };
    const carried = carryDraft(hosts, draft, after);
    expect(carried['lb2/keepalived']).toBe('my edit\n');
    // Files the operator did not touch follow the live files.
    expect(carried['lb1/nginx']).toMatch(/# changed on lb1\n$/);
    expect(carried).toEqual({ ...initialDraft(after), 'lb2/keepalived': 'my edit\n' });
    expect(carryDraft(hosts, initialDraft(hosts), after)).toEqual(initialDraft(after));
  });

  it('checks the draft against other clusters’ VRIDs on the same network (VR-1)', () => {
    const shop = {
      cluster: 'shop',
      node: 'web1',
      instance: 'VI_7',
      vrid: 52,
      vips: [{ address: '10.77.0.70', prefix: 24 }],
    };
    const draft = initialDraft(hosts);
    expect(analyseDraft(hosts, draft, [shop]).map((f) => f.id)).not.toContain('VR-1');
    const both = Object.fromEntries(
      Object.entries(draft).map(([k, v]) => [
        k,
        v.replace('virtual_router_id 51', 'virtual_router_id 52'),
      ]),
    );
    const vr1 = analyseDraft(hosts, both, [shop]).filter((f) => f.id === 'VR-1');
    expect(vr1.map((f) => f.message['zh-CN'])).toEqual([
      expect.stringContaining('集群 shop 的 VI_7（web1）'),
    ]);
  });
});

describe('findings on the lines of a file', () => {
  const finding = (over: Partial<ConfigFinding>): ConfigFinding => ({
    id: 'WT-1',
    rule: 'WEIGHT_TOO_SMALL',
    severity: 'warning',
    nodes: ['lb1'],
    at: [],
    message: { en: 'too small', 'zh-CN': '太小' },
    fix: { en: 'use -30', 'zh-CN': '改为 -30' },
    ...over,
  });
  const text = 'a\nbb\nccc\n';
  const target = { host: 'lb1', component: 'keepalived' as const, path: '/k.conf' };

  it('finds the offsets of a line, clamped to the text', () => {
    expect(lineSpan(text, 1)).toEqual({ from: 0, to: 1 });
    expect(lineSpan(text, 3)).toEqual({ from: 5, to: 8 });
    expect(lineSpan('x', 9)).toEqual({ from: 0, to: 1 });
  });

  it('places a finding on its line in the reader’s language, with the fix', () => {
    const f = finding({ at: [{ node: 'lb1', component: 'keepalived', file: '/k.conf', line: 2 }] });
    expect(diagnosticsFor([f], target, text, 'zh-CN')).toEqual([
      { from: 2, to: 4, severity: 'warning', message: '太小\n→ 改为 -30', source: 'WT-1' },
    ]);
  });

  it('puts a finding that names the file but no line on line 1; critical is an error', () => {
    const f = finding({ severity: 'critical', at: [{ node: 'lb1', component: 'keepalived' }] });
    expect(diagnosticsFor([f], target, text, 'en')).toMatchObject([
      { from: 0, to: 1, severity: 'error' },
    ]);
  });

  it('leaves out findings of another host, component or file (an include)', () => {
    const elsewhere = [
      finding({ at: [{ node: 'lb2', component: 'keepalived', line: 1 }] }),
      finding({ at: [{ node: 'lb1', component: 'nginx', line: 1 }] }),
      finding({ at: [{ node: 'lb1', component: 'keepalived', file: '/inc.conf', line: 1 }] }),
    ];
    expect(diagnosticsFor(elsewhere, target, text, 'en')).toEqual([]);
  });

  it('places a real analysis finding on the line it blames', () => {
    const model = exampleClusterModel();
    const weak = exampleHosts({
      ...model,
      fastPath: undefined,
      healthCheck: model.healthCheck && { ...model.healthCheck, weight: -2 },
    });
    const findings = analyseDraft(weak, initialDraft(weak));
    const lb1 = weak[0]?.files[0];
    const diags = diagnosticsFor(
      findings,
      { host: 'lb1', component: 'keepalived', path: lb1?.path ?? '' },
      lb1?.content ?? '',
      'en',
    );
    const wt = diags.find((d) => d.source === 'WT-1');
    expect(wt?.message).toMatch(/weight/i);
  });
});
