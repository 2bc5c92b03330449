import type { HostConfigFile, HostInfo, StatusNode } from '@keepwatch/shared';
import { Empty } from '../../app/page-states';
import { useI18n } from '../../i18n/i18n-context';

/** The agent's facts and footprint as a definition list. */
export function HostFacts({ info, node }: { info: HostInfo; node: StatusNode; now: number }) {
  const { t, fmt } = useI18n();
  const f = info.facts;
  const rows: [string, string | undefined][] = [
    [t.host.cluster, info.cluster],
    [t.host.role, info.role ?? node.role],
    [t.host.hostname, f['hostname']],
    [t.host.os, f['os']],
    [t.host.kernel, f['kernel']],
    [t.host.agent, f['agentVersion']],
    [t.host.keepalived, f['keepalivedVersion']],
    [t.host.nginx, f['nginxVersion']],
    [t.host.java, f['javaVersion']],
  ];
  const fp = info.footprint;
  return (
    <dl className="facts" data-testid="host-facts">
      {rows.map(([k, v]) => (
        <div key={k} className="fact">
          <dt>{k}</dt>
          <dd className={v === undefined ? 'muted' : ''}>{v ?? t.host.notReported}</dd>
        </div>
      ))}
      <div className="fact">
        <dt>{t.host.footprint}</dt>
        <dd data-testid="host-footprint">
          {fp
            ? `${t.host.footprintValue((fp.rssBytes / 1048576).toFixed(1), fp.cpuPercent.toFixed(1))} · ${fmt.dateTime(fp.at)}`
            : t.host.footprintNone}
        </dd>
      </div>
    </dl>
  );
}

/** Config files (main and included) with their sha256 and test result. */
export function HostConfigs({ files }: { files: readonly HostConfigFile[] }) {
  const { t, fmt } = useI18n();
  if (files.length === 0) return <Empty>{t.host.configsEmpty}</Empty>;
  return (
    <div className="table-wrap">
      <table className="kw-table" data-testid="host-configs">
        <thead>
          <tr>
            <th scope="col">{t.host.colComponent}</th>
            <th scope="col">{t.host.colPath}</th>
            <th scope="col">{t.host.colHash}</th>
            <th scope="col">{t.host.colTest}</th>
            <th scope="col">{t.host.colObserved}</th>
          </tr>
        </thead>
        <tbody>
          {files.map((f, i) => (
            <tr key={`${f.component}:${f.path ?? i}`}>
              <td>
                {f.component}
                {f.included && <span className="muted small"> ({t.host.included})</span>}
              </td>
              <td className="mono small">{f.path ?? '—'}</td>
              <td className="mono small hash" title={f.sha256 ?? ''}>
                {f.sha256 ?? '—'}
              </td>
              <td className={f.testOk === false ? 'text-bad' : ''}>
                {f.testOk === null ? '—' : f.testOk ? t.host.testOk : t.host.testFailed}
              </td>
              <td className="small nowrap">{fmt.dateTime(f.observedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
