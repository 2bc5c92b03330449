import { TypeGuard, type TSchema } from '@sinclair/typebox';
import {
  AgentDataMessage,
  agentToServerCodec,
  type AgentToServer,
  type DecodeResult,
} from '@keepwatch/shared';

/*
 * Everything the agent sends is checked against the same shared schemas the server decodes
 * with, before it enters the outbox (data messages) or the socket (hello, pong, stats,
 * logs). The server closes the socket on a frame it cannot decode, so a message the schema
 * refuses would block the agent at every welcome; instead:
 *
 *   - lists longer than the schema allows (a host with 2,000 addresses, 300 upstreams) are
 *     cut to the schema's own maxItems, read from the schema, not restated here, and a
 *     snapshot says what was cut (`capped: [{path, total}]`);
 *   - a message still invalid after that is not sent at all: the caller logs the reason
 *     and counts it (one bad message never blocks the others).
 */

export interface CappedList {
  path: string;
  total: number;
}

/** The member of a union discriminated on `type` that describes `value`. */
function memberFor(schema: TSchema, value: unknown): TSchema | undefined {
  if (!TypeGuard.IsUnion(schema)) return schema;
  const type = (value as { type?: unknown } | null)?.type;
  for (const m of schema.anyOf) {
    if (!TypeGuard.IsObject(m)) continue;
    const lit: unknown = m.properties['type'];
    if (TypeGuard.IsLiteralString(lit) && lit.const === type) return m;
  }
  return undefined;
}

/** Copies `value`, cutting every array to its schema's maxItems; records what was cut. */
function fit(schema: TSchema, value: unknown, path: string, capped: CappedList[]): unknown {
  const s = memberFor(schema, value);
  if (!s) return value;
  if (TypeGuard.IsArray(s) && Array.isArray(value)) {
    const max = s.maxItems;
    const kept = max !== undefined && value.length > max ? value.slice(0, max) : value;
    if (kept !== value) capped.push({ path: path || '/', total: value.length });
    return kept.map((v, i) => fit(s.items, v, `${path}/${i}`, capped));
  }
  if (TypeGuard.IsObject(s) && typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const prop = s.properties[k];
      out[k] = prop ? fit(prop, v, `${path}/${k}`, capped) : v;
    }
    return out;
  }
  return value;
}

export type Fitted<M> = { ok: true; msg: M; capped: CappedList[] } | { ok: false; error: string };

/**
 * A data message (with seq and ts) made to fit the schema: lists capped, a snapshot flagged,
 * then validated. `ok:false` carries the schema's reason.
 */
export function fitDataMessage(msg: AgentDataMessage): Fitted<AgentDataMessage> {
  const capped: CappedList[] = [];
  let out = fit(AgentDataMessage, msg, '', capped) as AgentDataMessage;
  if (out.type === 'snapshot' && capped.length > 0)
    out = {
      ...out,
      capped: capped.slice(0, 16).map((c) => ({ ...c, path: c.path.slice(0, 128) })),
    };
  const r = agentToServerCodec.check(out);
  if (!r.ok) return { ok: false, error: r.error };
  return { ok: true, msg: out, capped };
}

/** Any outgoing frame (hello, pong, stats, logs…): valid as it is, or the schema's reason. */
export function checkOutgoing(msg: AgentToServer): DecodeResult<AgentToServer> {
  return agentToServerCodec.check(msg);
}
