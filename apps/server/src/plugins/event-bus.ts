import { EventEmitter } from 'node:events';
import fp from 'fastify-plugin';
import type {
  LivePushProgress,
  AgentDataMessage,
  AgentHello,
  LiveDrillMessage,
  LogLines,
  StatsSample,
} from '@keepwatch/shared';

/** Every in-process event, by name. Producers and consumers share these types only. */
export interface BusEvents {
  /** An agent passed its hello (token and protocol checked, welcome sent). */
  'agent.online': { agentId: string; hello: AgentHello; at: number };
  'agent.offline': { agentId: string; at: number };
  /** A new (not duplicate) data message, applied before it is durable. */
  'agent.data': { agentId: string; message: AgentDataMessage; at: number };
  /**
   * With replicas: another replica's agent event, read from the store by the replica follower
   * (modules/status/replica-follower.ts) after that replica stored it; not this one's ingest.
   */
  'agent.followed': { agentId: string; message: AgentDataMessage; at: number };
  /**
   * With replicas: another replica's agent is online there since `at` (its hello there, on
   * that replica's clock), as that replica's notice says; read by config pushes (PU-10).
   */
  'agent.followedOnline': { agentId: string; replica: string; at: number };
  'agent.clock': { agentId: string; offsetMs: number; rttMs: number };
  /** A periodic, non-durable stats sample (no seq, never acknowledged). */
  'agent.stats': { agentId: string; sample: StatsSample; at: number };
  /** Streamed log lines answering a logs.subscribe (not durable, never acknowledged). */
  'agent.logs': { agentId: string; message: LogLines; at: number };
  /** The cluster store changed these clusters' inputs. */
  'status.changed': { clusterIds: string[] };
  /** An alert fired or resolved (the live feed re-sends the lists). */
  'alerts.changed': { at: number };
  /** A running drill's progress for the browsers' live feed (modules/drills). */
  'drill.live': { message: LiveDrillMessage };
  /** A config push changed, for the browsers' live feed (modules/config). */
  'push.live': { message: LivePushProgress };
  /** A maintenance window was opened, ended, started or expired (modules/maintenance). */
  'maintenance.changed': { at: number };
}

export interface EventBus {
  emit<K extends keyof BusEvents>(name: K, payload: BusEvents[K]): void;
  on<K extends keyof BusEvents>(name: K, listener: (payload: BusEvents[K]) => void): () => void;
}

declare module 'fastify' {
  interface FastifyInstance {
    bus: EventBus;
  }
}

export function createEventBus(): EventBus {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    emit: (name, payload) => {
      emitter.emit(name, payload);
    },
    on: (name, listener) => {
      emitter.on(name, listener);
      return () => emitter.off(name, listener);
    },
  };
}

export default fp(
  (app, _opts, done) => {
    app.decorate('bus', createEventBus());
    done();
  },
  { name: 'event-bus', fastify: '5.x' },
);
