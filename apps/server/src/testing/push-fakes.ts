import { createHash } from 'node:crypto';
import type { TestSocket } from './test-app';

/*
 * What the config push tests' fake load balancers say and answer (push-api, push-restart,
 * push-replicas): a keepalived file observed, config.apply answered, and a bounded wait on a
 * stored state.
 */

export const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

/** The keepalived file the tests' load balancers run before a push. */
export const OLD = 'vrrp_instance VI_1 {\n  virtual_router_id 51\n}\n';

/** The agent's config.observed of its keepalived file with this content. */
export const observed = (seq: number, content: string) => ({
  type: 'config.observed',
  seq,
  ts: 2000,
  config: {
    component: 'keepalived',
    path: '/etc/keepalived/keepalived.conf',
    hash: sha(content),
    content,
    checkedAt: 2000,
  },
});

/** Resolves once `pred` holds (polled every 20 ms); throws naming `what` after `ms`. */
export async function until(
  pred: () => Promise<boolean> | boolean,
  what: string,
  ms = 5_000,
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface ApplyRequest {
  id: string;
  /** config.apply, or any other action `which` picks (answered the same way). */
  action?: string;
  params?: { dryRun?: boolean; baseHash?: string };
}

export const isDryRun = (m: Record<string, unknown>): boolean =>
  (m['params'] as ApplyRequest['params'])?.dryRun === true;

export interface ApplyError {
  code: string;
  message: string;
}

/**
 * Answers the socket's action requests (config.apply, or others) that `which` picks (the others are never
 * answered): ok, or failed with the error `errorOf` gives. Each answer's seq is `nextSeq()`.
 */
export function answerApplies(
  sock: TestSocket,
  nextSeq: () => number,
  which: (m: ApplyRequest) => boolean = () => true,
  errorOf: (m: ApplyRequest) => ApplyError | undefined = () => undefined,
): void {
  sock.ws.on('message', (raw: Buffer) => {
    const m = JSON.parse(raw.toString()) as ApplyRequest & { type: string };
    if (m.type !== 'action.request' || !which(m)) return;
    const error = errorOf(m);
    sock.send({
      type: 'action.result',
      seq: nextSeq(),
      ts: 3000,
      id: m.id,
      action: m.action ?? 'config.apply',
      ok: !error,
      ...(error && { error }),
      steps: [],
      startedAt: 3000,
      finishedAt: 3000,
    });
  });
}

/** Seqs after `n`, one per call. */
export const seqsAfter =
  (n: number): (() => number) =>
  () =>
    (n += 1);
