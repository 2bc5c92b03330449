import type { KernelAddress, ServiceHealth, ServiceName } from '@keepwatch/shared';
import type { FifoLine } from './fifo-line-parser';
import type { DumpInstance } from './keepalived-types';

/** What collectors report to the controller. The controller alone turns them into messages. */
export type Observation =
  | { kind: 'fifo'; ts: number; line: FifoLine }
  | { kind: 'keepalived.process'; ts: number; running: boolean; detail?: string }
  | { kind: 'keepalived.dump'; ts: number; source: 'json' | 'text'; instances: DumpInstance[] }
  | {
      kind: 'addresses';
      ts: number;
      addresses: KernelAddress[];
      added: KernelAddress[];
      removed: KernelAddress[];
    }
  | { kind: 'health'; service: ServiceName; health: ServiceHealth };

export type Emit = (o: Observation) => void;
