import type { BusEvents, EventBus } from '../../plugins/event-bus';

/**
 * The ingest stages, in the order their hooks run (SPEC.md IH-1), whatever order the modules
 * registered in. `status` first: it is what the browsers see. `history` second: its writes are
 * queued on the batch writer before the event's own insert, in the same batch (IH-2).
 */
export const INGEST_ORDER = ['status', 'history'] as const;
export type IngestStage = (typeof INGEST_ORDER)[number];

/** What a stage is told, synchronously, by the agent socket. Every method is optional. */
export interface IngestHook {
  /** A hello was accepted and welcomed; before any data of that socket. */
  online?(e: BusEvents['agent.online']): void;
  /** A new (not duplicate) data message, before it is queued for storage and acked. */
  data?(e: BusEvents['agent.data']): void;
  /** A periodic stats sample (not durable, never acked). */
  stats?(e: BusEvents['agent.stats']): void;
  /** A clock-offset estimate from a pong. */
  clock?(e: BusEvents['agent.clock']): void;
  /** The agent's registry entry was released (OR-3). */
  offline?(e: BusEvents['agent.offline']): void;
}

type Kind = keyof IngestHook;
const BUS_EVENT = {
  online: 'agent.online',
  data: 'agent.data',
  stats: 'agent.stats',
  clock: 'agent.clock',
  offline: 'agent.offline',
} as const satisfies Record<Kind, keyof BusEvents>;

type Payload<K extends Kind> = BusEvents[(typeof BUS_EVENT)[K]];

/**
 * The declared ingest order: hooks by stage, run in INGEST_ORDER (IH-1), then the bus event for
 * loose listeners (IH-4), which may rely on nothing but "after the hooks".
 */
export class IngestHooks {
  private readonly byStage = new Map<IngestStage, IngestHook>();
  private ordered: IngestHook[] = [];

  constructor(
    private readonly bus: EventBus,
    /** Told when a loose bus listener throws (IH-4); the frame is stored anyway. */
    private readonly onListenerError: (err: unknown, event: string) => void = () => {},
  ) {}

  /** Registers a stage's hook; one per stage. Returns the unregister function. */
  add(stage: IngestStage, hook: IngestHook): () => void {
    if (this.byStage.has(stage)) throw new Error(`ingest stage ${stage} is already registered`);
    this.byStage.set(stage, hook);
    this.reorder();
    return () => {
      if (this.byStage.get(stage) !== hook) return;
      this.byStage.delete(stage);
      this.reorder();
    };
  }

  /** The registered stages, in the order they run. */
  stages(): IngestStage[] {
    return INGEST_ORDER.filter((s) => this.byStage.has(s));
  }

  online(e: Payload<'online'>): void {
    for (const h of this.ordered) h.online?.(e);
    this.fanOut('online', e);
  }

  /** IH-2: call before the message is queued for storage; IH-3: a throw fails the frame. */
  data(e: Payload<'data'>): void {
    for (const h of this.ordered) h.data?.(e);
    this.fanOut('data', e);
  }

  stats(e: Payload<'stats'>): void {
    for (const h of this.ordered) h.stats?.(e);
    this.fanOut('stats', e);
  }

  clock(e: Payload<'clock'>): void {
    for (const h of this.ordered) h.clock?.(e);
    this.fanOut('clock', e);
  }

  offline(e: Payload<'offline'>): void {
    for (const h of this.ordered) h.offline?.(e);
    this.fanOut('offline', e);
  }

  private reorder(): void {
    this.ordered = this.stages().map((s) => this.byStage.get(s) as IngestHook);
  }

  private fanOut<K extends Kind>(kind: K, e: Payload<K>): void {
    const name = BUS_EVENT[kind];
    try {
      (this.bus.emit as (n: string, p: unknown) => void)(name, e);
    } catch (err) {
      this.onListenerError(err, name);
    }
  }
}
