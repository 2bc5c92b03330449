/** The alert service's knobs and what it reads and writes through (AlertService). */
import type { StatusCluster } from '@keepwatch/shared';
import type { Repositories } from '../../storage/repositories';
import { DEFAULT_BACKOFF, type BackoffPolicy } from './delivery-queue';

export interface AlertTuning {
  /** A finding must persist this long before it fires (default 2 s). */
  holdMs: number;
  /** Re-send a still-firing alert this often; 0 = never (default). */
  renotifyMs: number;
  /**
   * After a start, while any known agent is still offline, nothing fires or resolves for up to
   * this long (default 15 s): restored agents are offline until they reconnect, and their
   * alerts must neither resolve nor re-fire meanwhile.
   */
  startupGraceMs: number;
  backoff: BackoffPolicy;
}

export const DEFAULT_TUNING: AlertTuning = {
  holdMs: 2_000,
  renotifyMs: 0,
  startupGraceMs: 15_000,
  backoff: DEFAULT_BACKOFF,
};

/** What the service reads of the cluster status (ClusterStore): one cluster at a time. */
export interface StatusSource {
  clusterIds(): string[];
  /** The cluster's derived status (cached by the store until it changes). */
  cluster(id: string): StatusCluster | undefined;
}

/** What the service stores through (app.repos). */
export type AlertRepos = Pick<Repositories, 'alerts' | 'alertChannels' | 'alertQueue'>;
