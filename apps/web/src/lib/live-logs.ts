import type {
  LiveFromBrowser,
  LiveLogLines,
  LiveLogsStatus,
  LiveLogsSubscribe,
} from '@keepwatch/shared';

/*
 * The browser's log subscriptions over the live socket. A page asks for a cluster's nodes
 * and sources and gets `log.lines` / `logs.status` for them; after a reconnect every open
 * subscription is asked for again (the server forgets them with the socket). Ids are made
 * here, unique per page load.
 */

export type LogEvent = LiveLogLines | LiveLogsStatus;
export type LogRequest = Omit<LiveLogsSubscribe, 'type' | 'subscription'>;

export class LogSubscriptions {
  private readonly open = new Map<
    string,
    { request: LogRequest; onEvent: (e: LogEvent) => void }
  >();
  private counter = 0;

  constructor(private readonly send: (msg: LiveFromBrowser) => void) {}

  add(request: LogRequest, onEvent: (e: LogEvent) => void): () => void {
    const subscription = `logs-${++this.counter}`;
    this.open.set(subscription, { request, onEvent });
    this.send({ type: 'logs.subscribe', subscription, ...request });
    return () => {
      if (!this.open.delete(subscription)) return;
      this.send({ type: 'logs.unsubscribe', subscription });
    };
  }

  /** A new connection is up: it knows none of our subscriptions yet. */
  resubscribe(): void {
    for (const [subscription, { request }] of this.open)
      this.send({ type: 'logs.subscribe', subscription, ...request, tail: 0 });
  }

  deliver(event: LogEvent): void {
    this.open.get(event.subscription)?.onEvent(event);
  }

  clear(): void {
    this.open.clear();
  }
}
