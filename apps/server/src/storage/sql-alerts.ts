import type { Alert, AlertChannelInput, FindingArgs } from '@keepwatch/shared';
import type { ActiveAlert } from '../modules/alerts/alert-engine';
import type { AlertNotice } from '../modules/alerts/alert-notice';
import type { StoredChannel } from '../modules/alerts/channel-store';
import type {
  AlertChannelsRepository,
  AlertCommit,
  AlertQueueRepository,
  AlertsRepository,
  ChannelWrite,
  ClaimedDelivery,
} from './alerts-repository';
import { txGet, txRun, type SqlDriver, type SqlValue, type TxBody } from './sql-driver';

/* The alerts repositories (alerts-repository.ts) once, over either driver. */

const ALERT_COLUMNS = `id, key, rule, severity, cluster, message, firing_at AS "firingAt",
  resolved_at AS "resolvedAt", last_notified_at AS "lastNotifiedAt", code, args, text`;

interface AlertRow {
  id: number;
  key: string;
  rule: string;
  severity: string;
  cluster: string;
  message: string;
  firingAt: number;
  resolvedAt: number | null;
  lastNotifiedAt: number | null;
  code: string | null;
  args: string | null;
  text: string | null;
}

const toAlert = (r: AlertRow): Alert => ({
  id: r.id,
  key: r.key,
  rule: r.rule,
  severity: r.severity,
  cluster: r.cluster,
  message: r.message,
  firingAt: r.firingAt,
  resolvedAt: r.resolvedAt,
  ...(r.code !== null && { code: r.code }),
  ...(r.args !== null && { args: JSON.parse(r.args) as FindingArgs }),
  ...(r.text !== null && { text: JSON.parse(r.text) as Alert['text'] }),
});

const toActive = (r: AlertRow): ActiveAlert => {
  const a: Partial<Alert> & ActiveAlert = { ...toAlert(r), lastNotifiedAt: r.lastNotifiedAt };
  delete a.resolvedAt;
  return a;
};

/** Queues a notice to every enabled channel, in one statement. */
const ENQUEUE = `INSERT INTO alert_deliveries (alert_id, channel_id, event, payload, status, next_attempt_at, created_at)
  SELECT $1, id, $2, $3, 'pending', $4, $4 FROM alert_channels WHERE enabled = 1 ORDER BY id`;

const enqueueParams = (alertId: number | null, n: AlertNotice, at: number): SqlValue[] => [
  alertId,
  n.event,
  JSON.stringify(n),
  at,
];

function* commitBody(c: AlertCommit, at: number): TxBody<number[]> {
  const fired: number[] = [];
  for (const { alert: o, notice } of c.fire) {
    const row = (yield txGet(
      `INSERT INTO alerts (key, rule, severity, cluster, message, firing_at, last_notified_at, code, args, text)
       VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8, $9) RETURNING id`,
      [
        o.key,
        o.rule,
        o.severity,
        o.cluster,
        o.message,
        at,
        o.code ?? null,
        o.args === undefined ? null : JSON.stringify(o.args),
        o.text === undefined ? null : JSON.stringify(o.text),
      ],
    )) as { id: number };
    fired.push(row.id);
    yield txRun(ENQUEUE, enqueueParams(row.id, notice, at));
  }
  for (const { id, notice } of c.resolve) {
    yield txRun('UPDATE alerts SET resolved_at = $1 WHERE id = $2 AND resolved_at IS NULL', [
      at,
      id,
    ]);
    yield txRun(ENQUEUE, enqueueParams(id, notice, at));
  }
  for (const { id, notice } of c.renotify) {
    yield txRun('UPDATE alerts SET last_notified_at = $1 WHERE id = $2', [at, id]);
    yield txRun(ENQUEUE, enqueueParams(id, notice, at));
  }
  return fired;
}

export class SqlAlerts implements AlertsRepository {
  constructor(private readonly q: SqlDriver) {}

  async active(): Promise<ActiveAlert[]> {
    const rows = await this.q.all<AlertRow>(
      `SELECT ${ALERT_COLUMNS} FROM alerts WHERE resolved_at IS NULL ORDER BY firing_at, id`,
    );
    return rows.map(toActive);
  }

  async recent(limit: number): Promise<Alert[]> {
    const rows = await this.q.all<AlertRow>(
      `SELECT ${ALERT_COLUMNS} FROM alerts WHERE resolved_at IS NOT NULL
       ORDER BY resolved_at DESC, id DESC LIMIT $1`,
      [limit],
    );
    return rows.map(toAlert);
  }

  commit(c: AlertCommit, at: number): Promise<number[]> {
    return this.q.transaction(() => commitBody(c, at));
  }
}

const CHANNEL_COLUMNS = `id, name, type, config, enabled, created_at AS "createdAt", updated_at AS "updatedAt"`;

type ChannelRow = Omit<StoredChannel, 'config' | 'enabled'> & { config: string; enabled: number };

const toChannel = (r: ChannelRow): StoredChannel => ({
  id: r.id,
  name: r.name,
  type: r.type,
  enabled: r.enabled === 1,
  config: JSON.parse(r.config) as Record<string, unknown>,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});

export class SqlAlertChannels implements AlertChannelsRepository {
  constructor(private readonly q: SqlDriver) {}

  async all(): Promise<StoredChannel[]> {
    const rows = await this.q.all<ChannelRow>(
      `SELECT ${CHANNEL_COLUMNS} FROM alert_channels ORDER BY id`,
    );
    return rows.map(toChannel);
  }

  async get(id: number): Promise<StoredChannel | undefined> {
    const row = await this.q.get<ChannelRow>(
      `SELECT ${CHANNEL_COLUMNS} FROM alert_channels WHERE id = $1`,
      [id],
    );
    return row && toChannel(row);
  }

  async create(input: AlertChannelInput, at: number): Promise<StoredChannel> {
    const row = await this.q.get<ChannelRow>(
      `INSERT INTO alert_channels (name, type, config, enabled, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $5) RETURNING ${CHANNEL_COLUMNS}`,
      [input.name, input.type, JSON.stringify(input.config), input.enabled === false ? 0 : 1, at],
    );
    if (!row) throw new Error('INSERT … RETURNING gave no row');
    return toChannel(row);
  }

  async update(id: number, c: ChannelWrite, at: number): Promise<StoredChannel | undefined> {
    const row = await this.q.get<ChannelRow>(
      `UPDATE alert_channels SET name = $2, type = $3, config = $4, enabled = $5, updated_at = $6
       WHERE id = $1 RETURNING ${CHANNEL_COLUMNS}`,
      [id, c.name, c.type, JSON.stringify(c.config), c.enabled ? 1 : 0, at],
    );
    return row && toChannel(row);
  }

  async remove(id: number): Promise<boolean> {
    return (await this.q.run('DELETE FROM alert_channels WHERE id = $1', [id])) > 0;
  }
}

interface ClaimRow {
  id: number;
  channelId: number;
  payload: string;
  attempts: number;
}

export class SqlAlertQueue implements AlertQueueRepository {
  constructor(private readonly q: SqlDriver) {}

  enqueueAll(alertId: number | null, notice: AlertNotice, at: number): Promise<number> {
    return this.q.run(ENQUEUE, enqueueParams(alertId, notice, at));
  }

  async claim(now: number, limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    const until = now + leaseMs;
    // The lease is the row's next_attempt_at: not due for anyone else until it ends. On
    // PostgreSQL the rows a concurrent claim has locked are skipped, not waited for and
    // claimed again (READ COMMITTED would re-check only the outer WHERE); SQLite has one
    // writer, the statement is atomic there.
    const lock = this.q.dialect === 'postgres' ? 'FOR UPDATE SKIP LOCKED' : '';
    const rows = await this.q.all<ClaimRow>(
      `UPDATE alert_deliveries SET next_attempt_at = $2
       WHERE id IN (SELECT id FROM alert_deliveries WHERE status = 'pending' AND next_attempt_at <= $1
                    ORDER BY next_attempt_at, id LIMIT $3 ${lock})
       RETURNING id, channel_id AS "channelId", payload, attempts`,
      [now, until, limit],
    );
    return rows
      .sort((a, b) => a.id - b.id)
      .map((r) => ({
        id: r.id,
        channelId: r.channelId,
        notice: JSON.parse(r.payload) as AlertNotice,
        attempts: r.attempts,
        claimedUntil: until,
      }));
  }

  async sent(d: ClaimedDelivery, at: number): Promise<boolean> {
    const n = await this.q.run(
      `UPDATE alert_deliveries SET status = 'sent', attempts = attempts + 1, sent_at = $2, last_error = NULL
       WHERE id = $1 AND status = 'pending' AND next_attempt_at = $3`,
      [d.id, at, d.claimedUntil],
    );
    return n > 0;
  }

  async failed(
    d: ClaimedDelivery,
    f: { error: string; nextAt: number; final: boolean },
  ): Promise<boolean> {
    const n = await this.q.run(
      `UPDATE alert_deliveries SET status = $2, attempts = attempts + 1, next_attempt_at = $3, last_error = $4
       WHERE id = $1 AND status = 'pending' AND next_attempt_at = $5`,
      [d.id, f.final ? 'failed' : 'pending', f.nextAt, f.error.slice(0, 1000), d.claimedUntil],
    );
    return n > 0;
  }
}
