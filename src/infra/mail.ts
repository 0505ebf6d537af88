import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import nodemailer from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import type Mail from 'nodemailer/lib/mailer';
import SMTPTransport from 'nodemailer/lib/smtp-transport';
import { outboxFileName } from './purge';

/** Names the inspection an email is about (its id, never child data): the outbox files it by it. */
export const INSPECTION_HEADER = 'X-Jtai-Inspection';

/** A message to send: the envelope comes from `from`, `to` and `cc`. */
export type MailMessage = Mail.Options & { from: string; to: string[]; cc: string[] };

/** Sends one email; the outbox variant writes .eml files instead (the default with no SMTP_URL). */
export interface Mailer {
  /** Sends, or throws a MailSendError that says whether the message may have been delivered. */
  send(message: MailMessage): Promise<void>;
  readonly description: string;
}

/**
 * What a failed send means: `temporary` (not delivered; trying again may work), `permanent` (not delivered;
 * the server refused it for good), `unknown-outcome` (the connection failed after the whole message was handed
 * over, so the server may have accepted it: a resend may duplicate it).
 */
export type MailOutcome = 'temporary' | 'permanent' | 'unknown-outcome';

export class MailSendError extends Error {
  override readonly name = 'MailSendError';
  constructor(
    message: string,
    readonly outcome: MailOutcome,
  ) {
    super(message);
  }
}

/**
 * How long one send may take at each step. A server that is down or unreachable is known within seconds
 * (connection and greeting); once talking, a server may take as long as RFC 5321 allows it to answer (its
 * section 4.5.3.2.7: up to 10 minutes after the end of the message, while it scans it), since an attempt given
 * up after the server has read the message may have been delivered, and would be sent again. Together they stay
 * below the send activity's start-to-close timeout (src/workflows/outbox.ts), so an attempt always ends, sent
 * or failed, before another can start; a worker that dies meanwhile is noticed by its heartbeat in seconds.
 */
export const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 600_000 };

export function createMailer(options: { smtpUrl?: string; outboxDir: string }): Mailer {
  if (options.smtpUrl) {
    const transport = nodemailer.createTransport(
      new SMTPTransport({ url: options.smtpUrl, ...SMTP_TIMEOUTS }),
    );
    const host = new URL(options.smtpUrl).host;
    return {
      description: `SMTP ${host}`,
      async send(message) {
        const raw = await new MailComposer(message).compile().build();
        // Once the server has read the whole message, a failure no longer proves it was not delivered.
        let handedOver = false;
        const stream = Readable.from([raw]);
        stream.on('end', () => (handedOver = true));
        try {
          await transport.sendMail({
            envelope: { from: message.from, to: [...message.to, ...message.cc] },
            raw: stream,
          });
        } catch (err) {
          throw new MailSendError(oneLine(err), classifyMailError(err, handedOver));
        }
      },
    };
  }
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    description: `outbox folder ${options.outboxDir}`,
    async send(message) {
      const info = await transport.sendMail(message);
      await mkdir(options.outboxDir, { recursive: true, mode: 0o700 });
      const id = createHash('sha256').update(String(message.messageId)).digest('hex').slice(0, 16);
      const stamp = new Date(message.date ?? Date.now()).toISOString().replace(/[:.]/g, '-');
      const inspection = (message.headers as Record<string, string> | undefined)?.[INSPECTION_HEADER];
      const name = inspection ? outboxFileName(inspection, stamp, id) : `${stamp}-${id}.eml`;
      // Emails carry live agency links: readable by jtai only.
      await writeFile(path.join(options.outboxDir, name), info.message as Buffer, { mode: 0o600 });
    },
  };
}

/** The server's own answer decides where there is one; otherwise, whether the message had been handed over. */
export function classifyMailError(err: unknown, handedOver: boolean): MailOutcome {
  const { responseCode = 0 } = err as { responseCode?: number };
  if (responseCode >= 500) return 'permanent';
  if (responseCode >= 400) return 'temporary';
  return handedOver ? 'unknown-outcome' : 'temporary';
}

function oneLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.replace(/\s+/g, ' ').trim().slice(0, 300);
}
