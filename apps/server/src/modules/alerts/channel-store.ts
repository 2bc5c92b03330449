import type { AlertChannel, AlertChannelInput } from '@keepwatch/shared';
import type { AlertChannelsRepository } from '../../storage/alerts-repository';

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

export const publicChannel = (c: StoredChannel): AlertChannel => ({
  ...c,
  config: maskConfig(c.config),
});

/** The channels (app.repos.alertChannels), with masked secrets resolved on update. */
export class ChannelStore {
  constructor(private readonly repo: AlertChannelsRepository) {}

  all(): Promise<StoredChannel[]> {
    return this.repo.all();
  }

  async enabled(): Promise<StoredChannel[]> {
    return (await this.all()).filter((c) => c.enabled);
  }

  get(id: number): Promise<StoredChannel | undefined> {
    return this.repo.get(id);
  }

  create(input: AlertChannelInput, at: number): Promise<StoredChannel> {
    return this.repo.create(input, at);
  }

  async update(
    id: number,
    input: AlertChannelInput,
    at: number,
  ): Promise<StoredChannel | undefined> {
    const prev = await this.get(id);
    if (!prev) return undefined;
    const config =
      prev.type === input.type ? keepMaskedSecrets(input.config, prev.config) : input.config;
    return this.repo.update(
      id,
      { name: input.name, type: input.type, config, enabled: input.enabled !== false },
      at,
    );
  }

  remove(id: number): Promise<boolean> {
    return this.repo.remove(id);
  }
}
