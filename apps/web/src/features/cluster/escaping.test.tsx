import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import type { StatusCluster, StatusNode } from '@keepwatch/shared';
import { LANGS, dictionaries, type Lang } from '../../i18n/dictionary';
import { createFormat } from '../../i18n/format';
import type { I18n } from '../../i18n/i18n-context';
import { BackendCard } from './backend-card';
import { LbCard } from './lb-card';
import { VerdictBanner } from './verdict-banner';
import { VipBox } from './vip-box';

// useI18n reads a useSyncExternalStore without a server snapshot; server rendering here
// only needs the dictionary of the language under test.
const current: { lang: Lang } = { lang: 'en' };
vi.mock('../../i18n/i18n-context', () => ({
  useI18n: (): I18n => ({
    lang: current.lang,
    t: dictionaries[current.lang],
    fmt: createFormat(current.lang, dictionaries[current.lang]),
    setLang: () => undefined,
  }),
}));

/*
 * Host and node names come from agents, i.e. from whoever controls a monitored host. They
 * must reach the DOM as text: rendered markup may contain them only HTML-escaped.
 */
const IMG = '<img src=x onerror=alert(1)>';
const SCRIPT = '<script>alert(2)</script>';

function node(name: string, role: StatusNode['role']): StatusNode {
  return {
    name,
    role,
    online: true,
    vrrp:
      role === 'lb'
        ? [{ instance: IMG, state: 'MASTER', priority: 100, effectivePriority: 90, vrid: 51 }]
        : [],
    vipsHeld: role === 'lb' ? ['10.77.0.50'] : [],
    services:
      role === 'backend'
        ? { tomcat: { healthy: false, detail: SCRIPT } }
        : { nginx: { healthy: true } },
    clockOffsetMs: 0,
  };
}

const hostile: StatusCluster = {
  id: 'lab',
  name: IMG,
  verdict: 'degraded',
  findings: [
    { rule: 'backend-down', severity: 'warning', message: `${IMG} is down`, nodes: [IMG, SCRIPT] },
  ],
  vips: [{ address: '10.77.0.50', instance: IMG, holders: [IMG], masters: [IMG] }],
  nodes: [node(IMG, 'lb'), node(SCRIPT, 'backend')],
};

describe('hostile names in the topology', () => {
  it.each(LANGS)('renders them as text, never as markup (%s)', (lang) => {
    current.lang = lang;
    const html = renderToStaticMarkup(
      <>
        <VerdictBanner
          clusterId={hostile.id}
          clusterName={hostile.name}
          verdict={hostile.verdict}
          findings={hostile.findings}
        />
        {hostile.vips.map((v) => (
          <VipBox key={v.address} vip={v} />
        ))}
        <LbCard node={hostile.nodes[0]!} heldVips={['10.77.0.50']} splitBrain={false} now={1_000} />
        <BackendCard node={hostile.nodes[1]!} now={1_000} />
      </>,
    );
    expect(html).toContain('class="node-name"');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&lt;script&gt;');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<script');
  });
});
