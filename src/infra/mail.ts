import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';

/** Sends one email; the outbox variant writes .eml files instead (the default with no SMTP_URL). */
export interface Mailer {
  send(message: Mail.Options): Promise<void>;
  readonly description: string;
}

export function createMailer(options: { smtpUrl?: string; outboxDir: string }): Mailer {
  if (options.smtpUrl) {
    const transport = nodemailer.createTransport(options.smtpUrl);
    const host = new URL(options.smtpUrl).host;
    return {
      description: `SMTP ${host}`,
      async send(message) {
        await transport.sendMail(message);
      },
    };
  }
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    description: `outbox folder ${options.outboxDir}`,
    async send(message) {
      const info = await transport.sendMail(message);
      await mkdir(options.outboxDir, { recursive: true });
      const id = createHash('sha256').update(String(message.messageId)).digest('hex').slice(0, 16);
      const stamp = new Date(message.date ?? Date.now()).toISOString().replace(/[:.]/g, '-');
      await writeFile(path.join(options.outboxDir, `${stamp}-${id}.eml`), info.message as Buffer);
    },
  };
}
