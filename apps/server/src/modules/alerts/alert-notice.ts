/** What a channel is asked to deliver (internal: built by the alert service, never on the wire as-is). */
export interface AlertNotice {
  /** drill: a scheduled drill's result (modules/drills), sent to every channel. */
  event: 'firing' | 'resolved' | 'test' | 'drill';
  alert: {
    key: string;
    rule: string;
    severity: string;
    cluster: string;
    message: string;
    firingAt: number;
    resolvedAt?: number;
  };
  /** When the notice was made (epoch ms). */
  at: number;
}
