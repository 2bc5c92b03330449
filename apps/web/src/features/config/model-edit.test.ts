import { describe, expect, it } from 'vitest';
import { exampleClusterModel } from '@keepwatch/shared';
import { initialDraft, pendingChanges } from './config-draft';
import {
  applyModelChange,
  importFromLive,
  intOf,
  leadingComments,
  modelProblems,
  numberOf,
  parseBackend,
  parseVip,
  renderDraft,
  updateModel,
} from './model-edit';
import { exampleHosts } from './test-fixtures';

describe('the model behind the form', () => {
  const hosts = exampleHosts();
  const draft = initialDraft(hosts);

  it('imports the live files into a valid model', () => {
    const { model } = importFromLive(hosts, draft);
    expect(model).not.toBeNull();
    expect(model && modelProblems(model)).toEqual([]);
  });

  it('renders the unchanged model back to the live files byte for byte (headers kept)', () => {
    const { model } = importFromLive(hosts, draft);
    if (!model) throw new Error('no model');
    expect(pendingChanges(hosts, renderDraft(model, hosts, draft))).toEqual([]);
  });

  it('a changed priority changes that one line of that one host', () => {
    const { model } = importFromLive(hosts, draft);
    if (!model) throw new Error('no model');
    const next = updateModel(model, (m) => {
      const p = m.vrrp.instances[0]?.priorities.find((x) => x.host === 'lb2');
      if (p) p.priority = 80;
    });
    expect(model.vrrp.instances[0]?.priorities[1]?.priority).toBe(90);
    const changes = pendingChanges(hosts, renderDraft(next, hosts, draft));
    expect(changes.map((c) => `${c.host}/${c.component}`)).toEqual(['lb2/keepalived']);
    expect(changes[0]?.content).toContain('priority 80');
  });

  it('a changed backend changes both hosts’ nginx.conf', () => {
    const { model } = importFromLive(hosts, draft);
    if (!model) throw new Error('no model');
    const next = updateModel(model, (m) => {
      m.nginx?.upstreams[0]?.servers.push({ host: '10.77.0.23', port: 8080 });
    });
    const changes = pendingChanges(hosts, renderDraft(next, hosts, draft));
    expect(changes.map((c) => `${c.host}/${c.component}`)).toEqual(['lb1/nginx', 'lb2/nginx']);
    expect(changes[0]?.content).toContain('server 10.77.0.23:8080;');
  });

  it('a form change replaces only the files it alters, keeping hand edits elsewhere', () => {
    const { model } = importFromLive(hosts, draft);
    if (!model) throw new Error('no model');
    const edited = { ...draft, 'lb1/nginx': `${draft['lb1/nginx'] ?? ''}# by hand\n` };
    const next = updateModel(model, (m) => {
      if (m.healthCheck) m.healthCheck.weight = -5;
    });
    const out = applyModelChange(model, next, hosts, edited);
    expect(out['lb1/nginx']).toBe(edited['lb1/nginx']);
    expect(out['lb1/keepalived']).toContain('weight -5');
    expect(out['lb2/keepalived']).toContain('weight -5');
    expect(applyModelChange(model, model, hosts, edited)).toEqual(edited);
  });

  it('says where a model is invalid instead of rendering it', () => {
    const bad = updateModel(exampleClusterModel(), (m) => {
      const vip = m.vrrp.instances[0]?.vips[0];
      if (vip) vip.address = '10.77.0.500';
    });
    expect(modelProblems(bad).map((p) => p.path)).toContain('/vrrp/instances/0/vips/0/address');
  });

  it('keeps the comment lines at the top of a file as its header', () => {
    expect(leadingComments('# a\n#b\n\nglobal_defs {\n')).toEqual(['a', 'b']);
    expect(leadingComments('user x;\n# late\n')).toEqual([]);
  });

  it('reads form fields strictly', () => {
    expect(intOf(' -20 ')).toBe(-20);
    expect(intOf('1.5')).toBeNull();
    expect(numberOf('0.2')).toBe(0.2);
    expect(numberOf('x')).toBeNull();
    expect(parseVip('10.77.0.50/24')).toEqual({ address: '10.77.0.50', prefix: 24 });
    expect(parseVip('10.77.0.50')).toEqual({ address: '10.77.0.50', prefix: 32 });
    expect(parseVip('10.77.0.50/40')).toBeNull();
    expect(parseBackend('10.77.0.21:8080')).toEqual({ host: '10.77.0.21', port: 8080 });
    expect(parseBackend('10.77.0.21')).toBeNull();
    expect(parseBackend('web:70000')).toBeNull();
  });
});
