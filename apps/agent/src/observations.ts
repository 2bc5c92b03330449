import type {
  ConfigObservation,
  KernelAddress,
  ServiceHealth,
  ServiceName,
  SyncGroup,
  UpstreamHealth,
} from '@keepwatch/shared';
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
      /** Addresses whose interface went down or came back (VH-6). */
      linkChanged?: KernelAddress[];
    }
  | { kind: 'health'; service: ServiceName; health: ServiceHealth }
  /** Sync group membership (from keepalived.conf or a text dump); state may be UNKNOWN. */
  | { kind: 'sync.groups'; ts: number; groups: SyncGroup[] }
  /** One probe round over every upstream server nginx is configured with. */
  | { kind: 'upstreams'; ts: number; list: UpstreamHealth[] }
  | { kind: 'config'; config: ConfigObservation };

export type Emit = (o: Observation) => void;
