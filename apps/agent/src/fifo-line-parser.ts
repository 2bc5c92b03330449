/*
 * keepalived's notify FIFO line: `TYPE "NAME" STATE PRIORITY\n`, written by
 * snprintf("%s \"%s\" %s %d\n") in vrrp_notify.c. TYPE is INSTANCE or GROUP.
 *
 * What each STATE means for the agent:
 *   MASTER BACKUP FAULT STOP DELETED -> a real transition
 *   MASTER_PRIORITY / BACKUP_PRIORITY -> effective priority changed, state stays MASTER / BACKUP
 *   MASTER_RX_LOWER_PRI               -> split-brain hint (a lower-priority master exists); state unchanged
 */

export type FifoState =
  | 'MASTER'
  | 'BACKUP'
  | 'FAULT'
  | 'STOP'
  | 'DELETED'
  | 'MASTER_RX_LOWER_PRI'
  | 'MASTER_PRIORITY'
  | 'BACKUP_PRIORITY';

export interface FifoLine {
  type: 'INSTANCE' | 'GROUP';
  name: string;
  state: FifoState;
  priority: number;
}

const STATES = new Set<string>([
  'MASTER',
  'BACKUP',
  'FAULT',
  'STOP',
  'DELETED',
  'MASTER_RX_LOWER_PRI',
  'MASTER_PRIORITY',
  'BACKUP_PRIORITY',
]);

// The name may itself contain spaces; it never contains a double quote (keepalived's
// config parser would not produce one), so the last quote closes it.
const LINE = /^(INSTANCE|GROUP) "(.+)" ([A-Z_]+) (-?\d+)$/;

/** Parses one FIFO line; undefined for anything else (LVS `VS`/`RS` lines, garbage). */
export function parseFifoLine(raw: string): FifoLine | undefined {
  const m = LINE.exec(raw.trim());
  if (!m) return undefined;
  const [, type, name, state, prio] = m;
  if (!type || !name || !state || !prio || !STATES.has(state)) return undefined;
  const priority = Number(prio);
  if (!Number.isInteger(priority) || priority < 0 || priority > 255) return undefined;
  return { type: type as FifoLine['type'], name, state: state as FifoState, priority };
}
