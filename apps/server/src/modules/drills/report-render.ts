import { DRILL_KIND_INFO, type Drill, type DrillText } from '@keepwatch/shared';

/*
 * The drill report as a document (GET /drills/:id/report.md|.html?lang=): the same facts as
 * the JSON report, in the reader's language. The HTML is one self-contained file with an
 * inline SVG chart of the VIP probe (green good, red failed) and the transitions.
 */

export type Lang = 'en' | 'zh-CN';

const L = {
  title: { en: 'Failover drill report', 'zh-CN': '故障切换演练报告' },
  cluster: { en: 'Cluster', 'zh-CN': '集群' },
  kind: { en: 'Kind', 'zh-CN': '类型' },
  status: { en: 'Result', 'zh-CN': '结果' },
  started: { en: 'Started', 'zh-CN': '开始时间' },
  by: { en: 'Started by', 'zh-CN': '发起人' },
  hypothesis: { en: 'Hypothesis', 'zh-CN': '假设' },
  measured: { en: 'Measured (as clients saw it)', 'zh-CN': '测量结果（客户端视角）' },
  downtime: { en: 'Downtime', 'zh-CN': '中断时间' },
  failed: { en: 'Failed requests', 'zh-CN': '失败请求' },
  total: { en: 'Total requests', 'zh-CN': '请求总数' },
  interval: { en: 'Probe interval', 'zh-CN': '探测间隔' },
  newMaster: { en: 'New MASTER', 'zh-CN': '新 MASTER' },
  ttm: { en: 'Time to new MASTER', 'zh-CN': '新 MASTER 就绪时间' },
  detection: { en: 'Detection', 'zh-CN': '故障发现' },
  takeover: { en: 'Takeover', 'zh-CN': '接管' },
  convergence: { en: 'Convergence', 'zh-CN': '收敛' },
  failback: { en: 'Fail-back disruption', 'zh-CN': '回切影响' },
  restored: { en: 'Steady state restored', 'zh-CN': '已恢复稳态' },
  bound: { en: 'Theoretical bound (live config)', 'zh-CN': '理论上限（当前配置）' },
  criteria: { en: 'Criteria', 'zh-CN': '判定标准' },
  findings: { en: 'Findings', 'zh-CN': '发现' },
  advice: { en: 'Tuning advice', 'zh-CN': '调优建议' },
  timeline: { en: 'Timeline', 'zh-CN': '时间线' },
  logs: { en: 'Log lines', 'zh-CN': '日志' },
  yes: { en: 'yes', 'zh-CN': '是' },
  no: { en: 'no', 'zh-CN': '否' },
  none: { en: 'none', 'zh-CN': '无' },
} satisfies Record<string, DrillText>;

const STATUS: Record<Drill['status'], DrillText> = {
  running: { en: 'running', 'zh-CN': '进行中' },
  passed: { en: 'PASSED', 'zh-CN': '通过' },
  failed: { en: 'FAILED', 'zh-CN': '未通过' },
  aborted: { en: 'ABORTED', 'zh-CN': '已中止' },
  interrupted: { en: 'INTERRUPTED', 'zh-CN': '被中断' },
};

const ms = (v: number | null | undefined): string => (v == null ? '–' : `${Math.round(v)} ms`);
const rel = (at: number, zero: number | null): string =>
  zero === null ? new Date(at).toISOString() : `${((at - zero) / 1000).toFixed(3)} s`;

/** RP-2: text from hosts stays on its line; in a table cell a `|` would end the cell. */
const oneLine = (v: string): string => v.replace(/\r?\n/g, ' ');
const cell = (v: string): string => oneLine(v).replace(/\|/g, '\\|');
/** RP-2: a log line cannot close the code fence it is in. */
const fenced = (v: string): string => v.replace(/\r?\n/g, ' ').replace(/```/g, "'''");

/** The report as Markdown. */
export function renderMarkdown(d: Drill, lang: Lang): string {
  const r = d.report;
  const x = (k: keyof typeof L): string => L[k][lang];
  const out: string[] = [];
  out.push(`# ${x('title')}: ${d.kind}`, '');
  out.push(`| | |`, `|---|---|`);
  out.push(`| ${x('cluster')} | ${d.clusterId} |`);
  out.push(`| ${x('kind')} | ${d.kind} |`);
  out.push(
    `| ${x('status')} | **${STATUS[d.status][lang]}**${d.error ? ` (${cell(d.error)})` : ''} |`,
  );
  out.push(`| ${x('started')} | ${new Date(d.startedAt).toISOString()} |`);
  out.push(`| ${x('by')} | ${cell(d.startedBy)} |`, '');
  out.push(`## ${x('hypothesis')}`, '', DRILL_KIND_INFO[d.kind].hypothesis[lang], '');
  out.push(`## ${x('measured')}`, '', `| | |`, `|---|---|`);
  out.push(`| ${x('downtime')} | **${ms(r.downtimeMs)}** |`);
  out.push(`| ${x('failed')} | **${r.failedRequests}** |`);
  out.push(`| ${x('total')} | ${r.totalRequests} |`);
  out.push(`| ${x('interval')} | ${r.probeIntervalMs} ms (${r.probeFrom}) |`);
  out.push(`| ${x('newMaster')} | ${r.newMaster ?? '–'} |`);
  out.push(`| ${x('ttm')} | ${ms(r.timeToNewMasterMs)} |`);
  out.push(
    `| ${x('detection')} / ${x('takeover')} / ${x('convergence')} | ${ms(r.detectionMs)} / ${ms(r.takeoverMs)} / ${ms(r.convergenceMs)} |`,
  );
  out.push(
    `| ${x('failback')} | ${ms(r.failback.disruptionMs)}, ${r.failback.failedRequests} ${x('failed')} |`,
  );
  out.push(`| ${x('restored')} | ${r.restored ? x('yes') : x('no')} |`, '');
  if (r.bound) {
    out.push(`## ${x('bound')}`, '');
    out.push(`${ms(r.bound.lowMs)} – ${ms(r.bound.highMs)} (${ms(r.bound.expectedMs)})`, '');
    for (const p of r.bound.parts) out.push(`* ${p.name}: ${ms(p.ms)}: ${p.text[lang]}`);
    out.push('');
  }
  out.push(`## ${x('criteria')}`, '');
  for (const c of r.criteria)
    out.push(`* ${c.ok ? '✅' : '❌'} ${c.text[lang]}${c.detail ? ` (${c.detail})` : ''}`);
  out.push('', `## ${x('findings')}`, '');
  if (r.findings.length === 0) out.push(x('none'));
  for (const f of r.findings) out.push(`* **${f.severity}** ${f.code}: ${f.text[lang]}`);
  out.push('', `## ${x('advice')}`, '');
  if (r.advice.length === 0) out.push(x('none'));
  for (const a of r.advice) out.push(`* ${a.text[lang]} → ${a.effect[lang]}`);
  out.push('', `## ${x('timeline')}`, '');
  for (const t of r.transitions)
    out.push(oneLine(`* ${rel(t.at, r.faultAt)} ${t.node} ${t.kind}: ${t.detail}`));
  if (r.logs.length > 0) {
    out.push('', `## ${x('logs')}`, '', '```');
    for (const l of r.logs.slice(0, 500))
      out.push(fenced(`${rel(l.at, r.faultAt)} ${l.node} ${l.source}: ${l.text}`));
    out.push('```');
  }
  out.push('');
  return out.join('\n');
}

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function chart(d: Drill): string {
  const vip = d.report.samples.vip ?? [];
  if (vip.length === 0) return '';
  const t0 = vip[0]?.[0] ?? 0;
  const t1 = vip.at(-1)?.[0] ?? t0 + 1;
  const W = 900;
  const H = 120;
  const X = (t: number): number => ((t - t0) / Math.max(1, t1 - t0)) * W;
  const bars = vip
    .map(([t, , r]) => {
      const good = typeof r === 'number' && r >= 200 && r < 400;
      return `<rect x="${X(t).toFixed(1)}" y="${good ? 40 : 10}" width="1" height="${good ? 30 : 60}" fill="${good ? '#2a2' : '#d22'}"/>`;
    })
    .join('');
  const marks = d.report.transitions
    .filter((x) => x.kind !== 'service')
    .map(
      (x) =>
        `<line x1="${X(x.at).toFixed(1)}" x2="${X(x.at).toFixed(1)}" y1="0" y2="${H}" stroke="#36c" stroke-dasharray="2,2"><title>${esc(`${x.node} ${x.kind} ${x.detail}`)}</title></line>`,
    )
    .join('');
  return `<svg viewBox="0 0 ${W} ${H}" width="100%" role="img">${bars}${marks}</svg>`;
}

/** The report as one HTML file (inline CSS and SVG). */
export function renderHtml(d: Drill, lang: Lang): string {
  const md = renderMarkdown(d, lang);
  const body = md
    .split('\n')
    .map((line) => {
      if (line.startsWith('# ')) return `<h1>${esc(line.slice(2))}</h1>`;
      if (line.startsWith('## ')) return `<h2>${esc(line.slice(3))}</h2>`;
      if (line.startsWith('* '))
        return `<li>${esc(line.slice(2)).replace(/\*\*(.+?)\*\*/g, '<b>$1</b>')}</li>`;
      if (line.startsWith('|---')) return '';
      if (line.startsWith('| ')) {
        const cells = line
          .split(/(?<!\\)\|/)
          .slice(1, -1)
          .map((c) => esc(c.trim().replace(/\\\|/g, '|')).replace(/\*\*(.+?)\*\*/g, '<b>$1</b>'));
        return `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
      }
      if (line.startsWith('```')) return '';
      return line ? `<p>${esc(line)}</p>` : '';
    })
    .join('\n');
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>${esc(L.title[lang])} ${esc(d.id)}</title>
<style>body{font:14px system-ui,sans-serif;max-width:960px;margin:2em auto;color:#222}td{padding:2px 8px;border-bottom:1px solid #eee}h2{margin-top:1.5em}</style>
</head><body>${chart(d)}
${body.replace(/(<tr>[\s\S]*?<\/tr>\n?)+/g, (m) => `<table>${m}</table>`)}
</body></html>`;
}
