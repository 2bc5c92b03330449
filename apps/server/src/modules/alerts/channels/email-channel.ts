import nodemailer from 'nodemailer';
import type { AlertEmailConfig } from '@keepwatch/shared';
import type { AlertNotice } from '../alert-notice';
import { noticeText, noticeTitle } from '../message-format';

/**
 * One SMTP send per notice; a new transport each time (rare sends, no pool to go stale).
 * TLS is required unless the channel says otherwise (`secure: true` for implicit TLS on 465,
 * else STARTTLS `required` by default): a server that offers no STARTTLS, or a stripped one,
 * gets no password and no alert text in clear. `starttls: 'opportunistic' | 'off'` is the
 * explicit choice for a relay on a trusted network.
 */
export async function sendEmail(cfg: AlertEmailConfig, n: AlertNotice): Promise<void> {
  const starttls = cfg.starttls ?? 'required';
  const transport = nodemailer.createTransport({
    host: cfg.host,
    port: cfg.port,
    secure: cfg.secure ?? false,
    requireTLS: starttls === 'required',
    ignoreTLS: starttls === 'off',
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
    ...(cfg.user !== undefined && { auth: { user: cfg.user, pass: cfg.pass ?? '' } }),
  });
  try {
    await transport.sendMail({
      from: cfg.from,
      to: cfg.to,
      subject: noticeTitle(n),
      text: noticeText(n),
    });
  } finally {
    transport.close();
  }
}
