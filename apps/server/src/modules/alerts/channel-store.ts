import type { Database } from 'better-sqlite3';
import type { AlertChannel, AlertChannelInput } from '@keepwatch/shared';

interface ChannelRow {
  id: number;
  name: string;
  type: string;
  config: string;
  enabled: number;
  created_at: number;
  updated_at: number;
}

export const MASK = '********';
const SECRET_KEYS = new Set(['secret', 'pass', 'key']);

/** Secrets never leave the server: config fields named secret/pass/key and header values. */
export function maskConfig(config: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) {
    if (SECRET_KEYS.has(k) && typeof v === 'string' && v !== '') out[k] = MASK;
    else if (k === 'headers' && typeof v === 'object' && v !== null) {
      out[k] = Object.fromEntries(Object.keys(v).map((h) => [h, MASK]));
    } else out[k] = v;
  }
  return out;
}

/** Where a channel's secrets go: a new one of these must come with its secrets again. */
const DESTINATION_KEYS = ['url', 'host'] as const;

/** An update kept a stored secret ("********") while pointing the channel somewhere else. */
export class SecretNeededError extends Error {
  readonly statusCode = 400;
  readonly code = 'secret_required';
}

function masked(config: Record<string, unknown>): string[] {
  const out = Object.entries(config)
    .filter(([k, v]) => v === MASK && SECRET_KEYS.has(k))
    .map(([k]) => k);
  const headers = config['headers'];
  if (typeof headers === 'object' && headers !== null)
    for (const [h, v] of Object.entries(headers)) if (v === MASK) out.push(`headers.${h}`);
  return out;
}

/**
 * An update that sends back "********" keeps the stored secret (the UI never saw it), but
 * only while the channel still sends to the same place: an admin's session (or a stolen one)
 * must not re-point a channel at another URL or SMTP host and have the stored secret follow.
 */
export function keepMaskedSecrets(
  next: Record<string, unknown>,
  prev: Record<string, unknown>,
): Record<string, unknown> {
  const moved = DESTINATION_KEYS.filter((k) => (next[k] ?? null) !== (prev[k] ?? null));
  const kept = masked(next);
  if (moved.length > 0 && kept.length > 0) {
    throw new SecretNeededError(
      `changing the channel's ${moved.join(' and ')} needs its secret again: send ${kept.join(', ')} instead of ********`,
    );
  }
  const out: Record<string, unknown> = { ...next };
  for (const [k, v] of Object.entries(next)) {
    if (v === MASK && k in prev) out[k] = prev[k];
    if (k === 'headers' && typeof v === 'object' && v !== null) {
      const prevHeaders = (prev['headers'] ?? {}) as Record<string, unknown>;
      out[k] = Object.fromEntries(
        Object.entries(v as Record<string, unknown>).map(([h, hv]) => [
          h,
          hv === MASK ? prevHeaders[h] : hv,
        ]),
      );
    }
  }
  return out;
}

export interface StoredChannel {
  id: number;
  name: string;
  type: string;
  enabled: boolean;
  config: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
}

const fromRow = (r: ChannelRow): StoredChannel => ({
  id: r.id,
  name: r.name,
  type: r.type,
  enabled: r.enabled === 1,
  config: JSON.parse(r.config) as Record<string, unknown>,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export const publicChannel = (c: StoredChannel): AlertChannel => ({
  ...c,
  config: maskConfig(c.config),
});

/** The alert_channels table. */
export class ChannelStore {
  constructor(private readonly db: Database) {}

  all(): StoredChannel[] {
    return (this.db.prepare('SELECT * FROM alert_channels ORDER BY id').all() as ChannelRow[]).map(
      fromRow,
    );
  }

  enabled(): StoredChannel[] {
    return this.all().filter((c) => c.enabled);
  }

  get(id: number): StoredChannel | undefined {
    const row = this.db.prepare('SELECT * FROM alert_channels WHERE id = ?').get(id) as
      ChannelRow | undefined;
    return row ? fromRow(row) : undefined;
  }

  create(input: AlertChannelInput, at: number): StoredChannel {
    const info = this.db
      .prepare(
        'INSERT INTO alert_channels (name, type, config, enabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(
        input.name,
        input.type,
        JSON.stringify(input.config),
        input.enabled === false ? 0 : 1,
        at,
        at,
      );
    const created = this.get(Number(info.lastInsertRowid));
    if (!created) throw new Error('channel insert lost');
    return created;
  }

  update(id: number, input: AlertChannelInput, at: number): StoredChannel | undefined {
    const prev = this.get(id);
    if (!prev) return undefined;
    const config =
      prev.type === input.type ? keepMaskedSecrets(input.config, prev.config) : input.config;
    this.db
      .prepare(
        'UPDATE alert_channels SET name = ?, type = ?, config = ?, enabled = ?, updated_at = ? WHERE id = ?',
      )
      .run(input.name, input.type, JSON.stringify(config), input.enabled === false ? 0 : 1, at, id);
    return this.get(id);
  }

  remove(id: number): boolean {
    return this.db.prepare('DELETE FROM alert_channels WHERE id = ?').run(id).changes > 0;
  }
}
