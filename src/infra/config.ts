import path from 'node:path';
import { z } from 'zod';

/**
 * Environment -> one checked config object. Every setting has a default that works on a fresh
 * machine (dev server on localhost, mail to an outbox folder, data under .data/).
 */
const envSchema = z.object({
  JTAI_DATA_DIR: z.string().min(1).default('.data'),
  TEMPORAL_ADDRESS: z.string().min(1).default('localhost:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('jtai'),
  /** A real SMTP server, e.g. smtp://user:pass@mail.example.org:587; without it mail goes to the outbox. */
  SMTP_URL: z.url().optional(),
  MAIL_FROM: z.string().min(3).default('JTAI coordination <jtai@localhost>'),
  /** Where agency links point (the web app). */
  WEB_BASE_URL: z.url().default('http://localhost:3000'),
  WEB_PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  /** Hours of the working day, and end of day for "end of day" deadlines. */
  JTAI_END_OF_DAY: z
    .string()
    .regex(/^\d{2}:\d{2}$/)
    .default('17:00'),
  JTAI_WORKING_HOURS: z
    .string()
    .regex(/^\d{2}:\d{2}-\d{2}:\d{2}$/)
    .default('09:00-17:00'),
  /** Extra non-working days, comma-separated YYYY-MM-DD. */
  JTAI_CLOSURE_DAYS: z.string().default(''),
  /** Upsert the Jtai* search attributes (the dev server started by `npm start` has them registered). */
  JTAI_SEARCH_ATTRIBUTES: z.enum(['on', 'off']).default('on'),
});

export interface Config {
  dataDir: string;
  temporal: { address: string; namespace: string; taskQueue: string };
  mail: { smtpUrl?: string; from: string; outboxDir: string };
  web: { baseUrl: string; port: number };
  calendar: { endOfDay: string; workingHours: { start: string; end: string }; closureDays: string[] };
  searchAttributes: boolean;
  keysDir: string;
  filesDir: string;
  /** Private scratch space for decrypted copies (see ./scratch.ts). */
  scratchDir: string;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Configuration error: ${problems}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.JTAI_DATA_DIR);
  const [start = '09:00', end = '17:00'] = e.JTAI_WORKING_HOURS.split('-');
  return {
    dataDir,
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
    },
    mail: {
      ...(e.SMTP_URL ? { smtpUrl: e.SMTP_URL } : {}),
      from: e.MAIL_FROM,
      outboxDir: path.join(dataDir, 'outbox'),
    },
    web: { baseUrl: e.WEB_BASE_URL.replace(/\/$/, ''), port: e.WEB_PORT },
    calendar: {
      endOfDay: e.JTAI_END_OF_DAY,
      workingHours: { start, end },
      closureDays: e.JTAI_CLOSURE_DAYS.split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    },
    searchAttributes: e.JTAI_SEARCH_ATTRIBUTES === 'on',
    keysDir: path.join(dataDir, 'keys'),
    filesDir: path.join(dataDir, 'files'),
    scratchDir: path.join(dataDir, 'scratch'),
  };
}
