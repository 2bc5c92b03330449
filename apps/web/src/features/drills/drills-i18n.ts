import type {
  DrillKind,
  DrillPhase,
  DrillStatus,
  DrillTarget,
  DrillTransitionKind,
} from '@keepwatch/shared';

/*
 * Text of the drill pages (features/drills), nested under `drills` in i18n/dictionary.ts.
 * English defines the shape; drills-i18n-zh.ts is typed by it. Kind hypotheses and criteria
 * come with their zh-CN/en text from packages/shared (DRILL_KIND_INFO): the same words in
 * the dialog, the report and the exported file.
 */

export const drillsEn = {
  nav: 'Drills',
  runDrill: 'Run a drill',
  historyLink: 'Drill history and schedules',
  lastProven: (kind: string, when: string): string => `Failover last proven ${when} by ${kind}.`,
  lastProvenFailed: (kind: string, when: string): string =>
    `Last drill ${when} (${kind}) did not pass.`,
  neverProven: 'Failover not yet proven by a drill.',
  notProvenBadge: 'failover unproven',
  notProvenTitle: (days: number, when: string | null): string =>
    when === null
      ? `No drill has proven this pair's failover yet (flagged after ${days} days).`
      : `Failover last proven ${when}: more than ${days} days ago. Run a drill.`,
  runningNow: (kind: string): string => `A drill is running now: ${kind}.`,
  watch: 'Watch it',

  kinds: {
    'nginx-outage': 'nginx outage on the MASTER',
    'keepalived-stop': 'keepalived stopped on the MASTER',
    'keepalived-crash': 'keepalived crash on the MASTER',
    'backend-outage': 'one backend stopped',
    'backend-blackhole': 'one backend black-holed',
    'nginx-hang': 'nginx frozen on the MASTER',
    'link-down': 'VRRP link down on the MASTER',
    'all-backends-down': 'every backend stopped',
    'vrrp-partition': 'VRRP partition between the LBs',
  } satisfies Record<DrillKind, string>,
  targets: {
    master: 'the MASTER of the VIP',
    backend: 'one backend',
    backends: 'every backend',
    lbs: 'both load balancers',
  } satisfies Record<DrillTarget, string>,

  dialogTitle: (cluster: string): string => `Run a failover drill on ${cluster}`,
  kind: 'Kind',
  hypothesis: 'Hypothesis',
  criteria: 'It passes when',
  faultOn: 'Fault on',
  holdSeconds: 'Hold the fault for (seconds)',
  probeOn: 'Client probe runs on',
  probeServer: 'the Keepwatch server',
  warning: (seconds: number): string =>
    `This really breaks the service on the hosts above for up to ${seconds} s. Clients may see errors. The agents undo the fault by themselves if the server goes away.`,
  preflight: 'Preflight',
  preflightChecking: 'Checking the cluster…',
  preflightOk: 'Every check passed: the drill can run.',
  preflightRefused: 'The drill cannot run now:',
  preflightFailed: (message: string): string => `Preflight could not run: ${message}`,
  recheck: 'Check again',
  plan: (vip: string, master: string, targets: string, probe: string, holdS: number): string =>
    `VIP ${vip}, MASTER ${master}; fault on ${targets} for ${holdS} s; probe from ${probe}.`,
  confirm: 'Start the drill',
  starting: 'Starting…',
  cancel: 'Cancel',
  startFailed: (message: string): string => `The drill did not start: ${message}`,

  status: {
    running: 'running',
    passed: 'passed',
    failed: 'failed',
    aborted: 'aborted',
    interrupted: 'interrupted',
  } satisfies Record<DrillStatus, string>,
  phases: {
    preflight: 'Preflight',
    baseline: 'Baseline',
    fault: 'Fault',
    observe: 'Observe',
    restore: 'Restore',
    verify: 'Verify',
    report: 'Report',
    done: 'Done',
  } satisfies Record<DrillPhase, string>,
  phasesLabel: 'Phases',

  drillTitle: (kind: string, cluster: string): string => `Drill: ${kind} on ${cluster}`,
  startedBy: (who: string, when: string): string => `started by ${who} at ${when}`,
  faultAt: (when: string): string => `fault sent at ${when}`,
  abort: 'Abort the drill',
  aborting: 'Aborting…',
  confirmAbort: 'Abort this drill? The fault is undone at once.',
  abortFailed: (message: string): string => `Abort failed: ${message}`,
  liveProgress: 'Live progress',
  waitingSamples: 'Waiting for the first probe results…',
  probeCounts: (total: number, failed: number): string => `${total} requests, ${failed} failed`,
  transitions: 'Transitions as they happen',
  transitionKinds: {
    fault: 'fault',
    restore: 'restore',
    vrrp: 'VRRP',
    'vip-add': 'VIP added',
    'vip-del': 'VIP removed',
    service: 'service',
    'check-script': 'check script',
    'split-brain': 'split brain',
    'link-down': 'VIP on a downed link',
    'link-up': 'link up',
    abort: 'abort',
  } satisfies Record<DrillTransitionKind, string>,
  noTransitions: 'No transition yet.',

  chartTitle: 'Client probe and transitions',
  chartHelp:
    'Each point is one client request (latency, log scale), coloured by the load balancer that answered; red points failed. Vertical lines are transitions, VIP moves and phases; the ticks at the bottom are log lines, one lane per host.',
  xAxis: 'seconds after the fault',
  yAxis: 'latency (ms)',
  seriesOk: (target: string, via: string): string => `${target} ok via ${via}`,
  seriesOkDirect: (target: string): string => `${target} ok`,
  seriesFailed: (target: string): string => `${target} failed`,
  logsTitle: "Both hosts' keepalived and nginx log lines",
  logsEmpty: 'No log lines in the drill window.',
  colTime: 'time',
  colRelative: 'after fault',
  colHost: 'host',
  colSource: 'source',
  colLine: 'line',

  reportTitle: 'Report',
  verdictPassed: 'Passed: what happened matches the hypothesis.',
  verdictFailed: 'Failed: what happened does not match the hypothesis.',
  verdictAborted: 'Aborted before the end: no verdict.',
  verdictInterrupted:
    'Interrupted: the server stopped mid-drill; the agents restored the fault by their deadline.',
  criterionOk: 'met',
  criterionNotOk: 'not met',
  findings: 'Findings',
  figures: 'Figures',
  fig: {
    downtime: 'Downtime as clients saw it',
    detection: 'detection (fault → keepalived transition)',
    takeover: 'takeover (→ kernel VIP move)',
    convergence: 'convergence (→ first good request)',
    failedRequests: 'Failed requests',
    totalRequests: 'Total requests',
    probeInterval: 'Probe interval',
    newMaster: 'New MASTER',
    timeToNewMaster: 'Time to new MASTER',
    failback: 'Fail-back disruption',
    bound: 'Theoretical bound from the live config',
    restored: 'Restored (VIP back on the original MASTER, every service up)',
    answeredBy: 'Answered by',
    splitBrain: 'VIP in two kernels at some time',
    checkScript: 'Check script changed the priority',
  },
  probeValue: (intervalMs: number, timeoutMs: number, from: string): string =>
    `every ${intervalMs} ms, timeout ${timeoutMs} ms, from ${from}`,
  failbackValue: (disruption: string, failed: number, time: string): string =>
    `${disruption} disruption, ${failed} failed requests, VIP back after ${time}`,
  boundValue: (expected: string, low: string, high: string): string =>
    `${expected} expected (${low} – ${high})`,
  yes: 'yes',
  no: 'no',
  none: 'none',
  notMeasured: 'not measured',
  ms: (ms: number): string => `${Math.round(ms)} ms`,
  failedOf: (failed: number, total: number): string => `${failed} of ${total}`,
  advice: 'Advice',
  noAdvice: 'No tuning advice: this drill ran as well as the config allows.',
  expected: (effect: string): string => `Expected effect: ${effect}`,
  export: 'Export',
  exportLang: 'Report language',
  exportMd: 'Markdown',
  exportHtml: 'HTML',
  notFound: (id: string): string => `No drill "${id}" is known to the server.`,

  historyTitle: (cluster: string): string => `Drills on ${cluster}`,
  historyHeading: 'History',
  historyEmpty: 'No drill has run on this cluster yet.',
  bySchedule: (id: number): string => `schedule #${id}`,
  colStarted: 'started',
  colKind: 'kind',
  colStatus: 'status',
  colDowntime: 'downtime',
  colFailed: 'failed requests',
  colBy: 'by',
  open: 'Open',

  schedulesTitle: 'Schedules',
  schedulesHelp:
    'A scheduled drill starts at the cron time, only inside its window; the result goes to the notification channels, and a failed or refused run raises an alert.',
  schedulesEmpty: 'No schedule for this cluster.',
  cron: 'Cron expression',
  cronHelp: 'minute hour day-of-month month day-of-week, e.g. 0 3 * * 1',
  timeZone: 'Time zone',
  windowStart: 'Window starts',
  windowEnd: 'Window ends',
  windowHelp: 'Local time of day in the schedule’s zone; the drill only starts inside it.',
  window: (from: string, to: string, zone: string): string => `${from}–${to} (${zone})`,
  windowCol: 'Window',
  days: 'Days',
  daysHelp: 'none ticked = every day',
  disabled: 'disabled',
  noNextRun: 'none within a year',
  nextRun: 'next run',
  lastRun: 'last run',
  never: 'never',
  create: 'Add schedule',
  creating: 'Adding…',
  delete: 'Delete',
  confirmDelete: (cron: string): string => `Delete the schedule "${cron}"?`,
  failed: (message: string): string => `Failed: ${message}`,
  invalid: {
    cron: 'A cron expression has 5 fields (minute hour day month weekday), or 6 with seconds first.',
    window: 'Give the window as two times of day, HH:MM.',
    zone: 'Choose a time zone.',
  },
};

export type DrillsMessages = typeof drillsEn;

/** A word from one of the tables above for a key the server sent as a plain string. */
export function word(table: Readonly<Record<string, string>>, key: string): string {
  return table[key] ?? key;
}
