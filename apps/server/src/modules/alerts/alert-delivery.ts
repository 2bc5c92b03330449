import type { FastifyBaseLogger } from 'fastify';
import type { AlertDeliveryResult } from '@keepwatch/shared';
import type { Repositories } from '../../storage/repositories';
import { noticeOf, type AlertNotice } from './alert-notice';
import type { ObservedAlert } from './alert-engine';
import { sendNotice } from './channels/send-notice';
import { ChannelStore } from './channel-store';
import { DeliveryQueue, type BackoffPolicy } from './delivery-queue';

/**
 * The sending side of alerting: the delivery queue's passes (one at a time, a pass asked for
 * meanwhile folded into a rerun), one-off notices to every channel, and the channel test.
 * What to send is decided by AlertService; this only delivers what the queue holds (AL-8).
 */
export class AlertDelivery {
  readonly channels: ChannelStore;
  private readonly queue: DeliveryQueue;
  private inFlight: Promise<void> | undefined;
  private again = false;

  constructor(
    repos: Pick<Repositories, 'alertChannels' | 'alertQueue'>,
    backoff: BackoffPolicy,
    private readonly now: () => number,
    private readonly log: FastifyBaseLogger,
    private readonly onError: (err: unknown, what: string) => void,
  ) {
    this.channels = new ChannelStore(repos.alertChannels);
    this.queue = new DeliveryQueue(repos.alertQueue, backoff);
  }

  /** A one-off notice (no alert behind it) to every enabled channel: a drill's result. */
  announce(n: AlertNotice): void {
    this.queue.enqueueAll(null, n, this.now()).then(
      () => this.kick(),
      (err: unknown) => this.onError(err, 'alert announce'),
    );
  }

  /** Starts a delivery pass unless one runs; a pass started meanwhile is folded into a rerun. */
  kick(): void {
    if (this.inFlight) {
      this.again = true;
      return;
    }
    // A rejected pass (the queue's table unreadable or unwritable) must not become an
    // unhandled rejection, which ends the process: it is reported and retried next tick.
    this.inFlight = this.deliverDue()
      .catch((err: unknown) => this.onError(err, 'alert delivery pass'))
      .finally(() => {
        this.inFlight = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Resolves once no delivery pass runs (shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight) await this.inFlight;
  }

  private async deliverDue(): Promise<void> {
    for (const d of await this.queue.claim(this.now())) {
      const channel = await this.channels.get(d.channelId);
      if (!channel) continue;
      try {
        await sendNotice(channel, d.notice, this.now());
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        this.log.warn(
          { channel: channel.id, delivery: d.id, attempt: d.attempts + 1 },
          `alert delivery failed: ${message}`,
        );
        await this.queue.failed(d, message, this.now());
        continue;
      }
      await this.queue.sent(d, this.now());
    }
  }

  /** Sends a test notice right away, outside the queue, and reports how it went. */
  async test(channelId: number): Promise<AlertDeliveryResult | undefined> {
    const channel = await this.channels.get(channelId);
    if (!channel) return undefined;
    const at = this.now();
    const probe: ObservedAlert = {
      key: 'test',
      rule: 'TEST',
      severity: 'info',
      cluster: 'keepwatch',
      message: `test notification from Keepwatch to channel "${channel.name}" / 测试通知`,
    };
    const started = Date.now();
    try {
      await sendNotice(channel, noticeOf('test', probe, at, at), at);
      return { ok: true, durationMs: Date.now() - started };
    } catch (err) {
      return {
        ok: false,
        error: err instanceof Error ? err.message : String(err),
        durationMs: Date.now() - started,
      };
    }
  }
}
