import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { startStack, type Stack } from '@keepwatch/stack';
import type { AgentDataMessage } from '@keepwatch/shared';

/* Helpers for the agent's lab tests (not shipped: the bundle's entry is main.ts). */

export const sha = (s: string | Buffer): string => createHash('sha256').update(s).digest('hex');

interface Seen {
  agentId: string;
  message: AgentDataMessage;
  at: number;
}

/**
 * Every data message the server ingested: what is already stored (agents connect while
 * startStack runs, before a test can listen) and then whatever the bus shows.
 */
export function recorder(stack: Stack) {
  const seen: Seen[] = [];
  const waiters = new Set<() => void>();
  stack.app.bus.on('agent.data', (e) => {
    seen.push(e);
    for (const w of waiters) w();
  });
  // The bus emits a message just before it is queued for the batch writer: one that was
  // emitted before we subscribed may still be queued, in neither the bus nor the table.
  // Committing the queue now (synchronously, like the SELECT below) closes that gap.
  void stack.app.writer.flush();
  const stored = stack.app.db
    .prepare(
      'SELECT agent_id AS agentId, payload, received_at AS at FROM events ORDER BY received_at, seq',
    )
    .all() as { agentId: string; payload: string; at: number }[];
  seen.unshift(
    ...stored.map((r) => ({
      agentId: r.agentId,
      message: JSON.parse(r.payload) as AgentDataMessage,
      at: r.at,
    })),
  );
  /** VRRP instances of an agent now: its last snapshot with the transitions after it applied. */
  const vrrpOf = (agentId: string): Record<string, { state: string; vips: string[] }> => {
    const mine = seen.filter((x) => x.agentId === agentId).map((x) => x.message);
    const lastSnap = mine.map((m) => m.type).lastIndexOf('snapshot');
    const out: Record<string, { state: string; vips: string[] }> = {};
    for (const m of mine.slice(Math.max(0, lastSnap))) {
      if (m.type === 'snapshot')
        for (const i of m.vrrp) out[i.instance] = { state: i.state, vips: i.vips };
      if (m.type === 'vrrp.transition' && out[m.instance])
        out[m.instance] = { ...out[m.instance], state: m.state } as {
          state: string;
          vips: string[];
        };
    }
    return out;
  };
  /** The first message (already seen, or to come) matching pred. */
  const waitMsg = <T extends AgentDataMessage['type']>(
    agentId: string,
    type: T,
    pred: (m: Extract<AgentDataMessage, { type: T }>) => boolean,
    timeoutMs = 15_000,
    since = 0,
  ): Promise<Extract<AgentDataMessage, { type: T }>> =>
    new Promise((resolve, reject) => {
      const check = (): boolean => {
        const hit = seen
          .slice(since)
          .find(
            (s) =>
              s.agentId === agentId &&
              s.message.type === type &&
              pred(s.message as Extract<AgentDataMessage, { type: T }>),
          );
        if (!hit) return false;
        waiters.delete(onMsg);
        clearTimeout(timer);
        resolve(hit.message as Extract<AgentDataMessage, { type: T }>);
        return true;
      };
      const onMsg = (): void => void check();
      const timer = setTimeout(() => {
        waiters.delete(onMsg);
        reject(new Error(`no ${type} from ${agentId} within ${timeoutMs} ms`));
      }, timeoutMs);
      if (!check()) waiters.add(onMsg);
    });
  return { seen, waitMsg, vrrpOf };
}

export async function until(
  what: string,
  fn: () => Promise<boolean> | boolean,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface AgentLab {
  readonly stack: Stack;
  readonly rec: ReturnType<typeof recorder>;
  /** The lab's lb1 folder (keepalived.conf, pid files, logs, agent.json). */
  readonly lb1Dir: string;
  lab(): Stack['lab'];
}

/**
 * Brings a whole stack (lab, server, an agent per host) up before the enclosing describe's
 * tests and down after them; the fields are valid inside tests.
 */
export function useAgentLab(prefix: string, subnet: string): AgentLab {
  let stack: Stack | undefined;
  let rec: ReturnType<typeof recorder> | undefined;
  const need = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error('the lab stack is not up (read it inside a test)');
    return v;
  };
  beforeAll(async () => {
    stack = await startStack({ prefix, subnet });
    rec = recorder(stack);
  });
  afterAll(async () => {
    await stack?.stop();
  });
  return {
    get stack() {
      return need(stack);
    },
    get rec() {
      return need(rec);
    },
    get lb1Dir() {
      return join(need(stack).lab.baseDir, 'lb1');
    },
    lab: () => need(stack).lab,
  };
}
