import type { AlertNotice } from './alert-notice';

/*
 * One notification text for every channel, bilingual labels (English + 中文) so one message
 * works for either team. Pure: the notice carries its own times.
 */

const EVENT_LABEL: Record<AlertNotice['event'], string> = {
  firing: 'FIRING 告警',
  resolved: 'RESOLVED 已恢复',
  test: 'TEST 测试',
  drill: 'DRILL 演练',
};

const SEVERITY_LABEL: Record<string, string> = {
  critical: 'critical 严重',
  warning: 'warning 警告',
  info: 'info 提示',
};

const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

export function noticeTitle(n: AlertNotice): string {
  return `[${EVENT_LABEL[n.event]}] ${n.alert.rule} · ${n.alert.cluster}`;
}

function fields(n: AlertNotice): [string, string][] {
  const a = n.alert;
  const rows: [string, string][] = [
    ['Cluster 集群', a.cluster],
    ['Rule 规则', `${a.rule} (${SEVERITY_LABEL[a.severity] ?? a.severity})`],
    ['Message 详情', a.message],
    ['Since 开始时间', iso(a.firingAt)],
  ];
  if (a.resolvedAt !== undefined) rows.push(['Resolved 恢复时间', iso(a.resolvedAt)]);
  rows.push(['Time 时间', iso(n.at)]);
  return rows;
}

export function noticeText(n: AlertNotice): string {
  return [noticeTitle(n), ...fields(n).map(([k, v]) => `${k}: ${v}`)].join('\n');
}

export function noticeMarkdown(n: AlertNotice): string {
  const lines = fields(n).map(([k, v]) => `- **${k}**: ${v}`);
  return [`### ${noticeTitle(n)}`, '', ...lines].join('\n');
}

/** Flat values for webhook templates ({{name}}). */
export function noticeVars(n: AlertNotice): Record<string, string> {
  return {
    event: n.event,
    cluster: n.alert.cluster,
    rule: n.alert.rule,
    severity: n.alert.severity,
    message: n.alert.message,
    key: n.alert.key,
    firingAt: iso(n.alert.firingAt),
    resolvedAt: n.alert.resolvedAt === undefined ? '' : iso(n.alert.resolvedAt),
    time: iso(n.at),
    title: noticeTitle(n),
    text: noticeText(n),
  };
}

/**
 * Fills {{name}} in a JSON template; values are JSON-string-escaped (no quotes added) so a
 * message with quotes or newlines keeps the body valid when placed inside a string.
 */
export function renderTemplate(template: string, vars: Record<string, string>): string {
  return template.replace(/\{\{\s*([A-Za-z]+)\s*\}\}/g, (whole, name: string) => {
    const value = vars[name];
    return value === undefined ? whole : JSON.stringify(value).slice(1, -1);
  });
}
