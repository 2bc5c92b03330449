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

/** The notice of an observed or firing alert (`firingAt` its start, `resolvedAt` its end). */
export const noticeOf = (
  event: AlertNotice['event'],
  a: {
    key: string;
    rule: string;
    severity: string;
    cluster: string;
    message: string;
  },
  firingAt: number,
  at: number,
  resolvedAt?: number,
): AlertNotice => ({
  event,
  alert: {
    key: a.key,
    rule: a.rule,
    severity: a.severity,
    cluster: a.cluster,
    message: a.message,
    firingAt,
    ...(resolvedAt !== undefined && { resolvedAt }),
  },
  at,
});
