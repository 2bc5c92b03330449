/*
 * Text of the config page (features/config), nested under `config` in i18n/dictionary.ts.
 * English defines the shape; config-i18n-zh.ts is typed by it (as drills-i18n.ts does).
 */

type PushState = 'running' | 'succeeded' | 'failed' | 'rolled_back' | 'interrupted';
type HostState =
  | 'pending'
  | 'validating'
  | 'validated'
  | 'applying'
  | 'verifying'
  | 'applied'
  | 'skipped'
  | 'failed'
  | 'rolled_back'
  | 'interrupted';
type DriftWord = 'in_sync' | 'drifted' | 'never_pushed' | 'unknown';
type Role = 'master' | 'backup' | 'unknown';

export const configEn = {
  link: 'Configuration',
  title: (cluster: string): string => `Configuration of ${cluster}`,
  loading: 'Loading the live configuration…',
  noHosts: 'No agent of this cluster has reported a keepalived or nginx configuration yet.',
  readOnly: 'You can read this configuration; pushing needs the operator role.',
  tabs: {
    label: 'Configuration views',
    edit: 'Edit',
    review: 'Review and push',
    history: 'History',
  },
  drift: {
    banner: 'Drift: a live file no longer matches the last pushed version (edited on the host?).',
    state: {
      in_sync: 'in sync',
      drifted: 'drifted',
      never_pushed: 'never pushed',
      unknown: 'unknown',
    } satisfies Record<DriftWord, string>,
    file: (host: string, path: string, state: string): string => `${host}: ${path} — ${state}`,
  },
  role: { master: 'MASTER', backup: 'BACKUP', unknown: 'role unknown' } satisfies Record<
    Role,
    string
  >,
  offline: 'offline',
  observedAt: (time: string): string => `observed ${time}`,
  files: 'Files',
  modified: 'modified',
  findingsIn: (n: number): string => (n === 1 ? '1 finding' : `${n} findings`),
  form: {
    title: 'Common settings',
    hint: 'Changes here are rendered into every load balancer’s files; the editor shows the result.',
    noModel: 'These files cannot be shown as a form (below: why). Edit them in the editor.',
    notes: 'What the form cannot hold',
    noteKept: 'kept as written',
    noteLost: 'not in the model: a form change would drop it',
    instance: (name: string, vrid: number): string => `VRRP instance ${name} (VRID ${vrid})`,
    vips: 'Virtual IPs (address/prefix)',
    addVip: 'Add a VIP',
    removeVip: (vip: string): string => `Remove VIP ${vip}`,
    priority: (host: string): string => `Priority of ${host}`,
    advertInt: 'Advert interval (s)',
    preempt: 'Preempt (the higher priority takes the VIP back)',
    check: (name: string): string => `Health check ${name}`,
    noCheck: 'No health check: an nginx outage never moves the VIP.',
    interval: 'Interval (s)',
    fall: 'Fall',
    rise: 'Rise',
    weight: 'Weight',
    upstream: (name: string): string => `Upstream ${name}`,
    backends: 'Backends (host:port)',
    addBackend: 'Add a backend',
    removeBackend: (b: string): string => `Remove backend ${b}`,
    invalidField: 'Not a valid value',
    problems: 'Not rendered: the model is not valid',
  },
  editor: {
    loading: 'Loading the editor…',
    label: (host: string, path: string): string => `${host}: ${path}`,
    revert: 'Revert this file',
    failed: (message: string): string => `The editor could not load: ${message}`,
  },
  findings: {
    title: 'Analysis of the draft',
    none: 'No findings: the draft passes every rule.',
    severity: { critical: 'critical', warning: 'warning', info: 'info' } as Record<string, string>,
    fix: 'Fix:',
    where: (host: string, file: string, line: string): string => `${host} ${file}${line}`,
  },
  review: {
    title: 'Changes against the live files',
    none: 'No changes: the draft is what runs on the hosts.',
    stats: (added: number, removed: number): string => `+${added} −${removed}`,
    before: 'live',
    after: 'draft',
    hidden: (n: number): string => `${n} unchanged lines`,
    criticalBlock: 'The draft has critical findings; fix them before pushing.',
    summary: (critical: number, warning: number, info: number): string =>
      `Analysis of the draft: ${critical} critical, ${warning} warning(s), ${info} info (details under Edit).`,
  },
  push: {
    title: 'Push',
    message: 'What and why (recorded with the version)',
    messagePlaceholder: 'e.g. lower lb2 priority for maintenance',
    dryRun: 'Dry run',
    dryRunHint: 'Validates on every host (keepalived -t, nginx -t); nothing is installed.',
    push: 'Push',
    pushHint: 'BACKUP first, then the MASTER after its health gate; stops at the first failure.',
    needDryRun: 'Run a dry run of these changes first.',
    dryRunPassed: 'The dry run passed: the same changes may now be pushed.',
    confirm: (n: number): string =>
      `Push ${n} changed file(s) to the cluster now? BACKUP first, then the MASTER.`,
    starting: 'Starting…',
    conflict:
      'A live file changed since this page loaded it. Reload the live files and redo the edit.',
    reload: 'Reload the live files',
    failed: (message: string): string => `Refused: ${message}`,
    busy: 'A push is running on this cluster.',
    busyWork: (message: string): string =>
      `Not started: a push or a drill of this cluster is running. Wait for it to finish. (${message})`,
  },
  progress: {
    title: (dry: boolean): string => (dry ? 'Dry run' : 'Push'),
    state: {
      running: 'running',
      succeeded: 'succeeded',
      failed: 'failed',
      rolled_back: 'rolled back',
      interrupted: 'interrupted',
    } satisfies Record<PushState, string>,
    host: {
      pending: 'waiting',
      validating: 'validating',
      validated: 'validated',
      applying: 'applying',
      verifying: 'checking health',
      applied: 'applied',
      skipped: 'skipped',
      failed: 'failed',
      rolled_back: 'rolled back',
      interrupted: 'interrupted',
    } satisfies Record<HostState, string>,
    order: (n: number): string => `#${n}`,
    by: (author: string, time: string): string => `by ${author}, ${time}`,
    error: 'Error',
    steps: 'Steps',
    stepOk: 'ok',
    stepFailed: 'failed',
  },
  history: {
    title: 'Versions',
    empty: 'No version yet: the first push records one.',
    current: 'running now',
    rollbackOf: (id: string): string => `roll back to ${id}`,
    baseline: 'baseline (before the first push)',
    by: (author: string, time: string): string => `${author}, ${time}`,
    files: (n: number): string => (n === 1 ? '1 file changed' : `${n} files changed`),
    showDiff: 'Show the changes',
    diffTitle: (id: string, prev: string): string => `Version ${id} against ${prev}`,
    diffFirst: (id: string): string => `Version ${id} (no earlier version)`,
    noDiff: 'This version changed no file.',
    rollback: 'Roll back to this version',
    rollbackConfirm: (id: string): string =>
      `Roll the whole cluster back to version ${id}? It runs as a new push, BACKUP first.`,
    rollbackMessage: (id: string): string => `Roll back to version ${id}`,
    loadingDiff: 'Loading the versions…',
  },
};

export type ConfigMessages = typeof configEn;
