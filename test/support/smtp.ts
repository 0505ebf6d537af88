import { simpleParser, type ParsedMail } from 'mailparser';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/**
 * A real SMTP listener on loopback that keeps every message it is given, parsed. Tests can make it misbehave
 * the ways real mail servers do: answer slowly, refuse connections (stopped), refuse a recipient for good
 * (550), or take a message and drop the connection before acknowledging it (the sender cannot know).
 */
export interface SmtpCapture {
  url: string;
  messages: ParsedMail[];
  /** When each message had been read (this process's clock, ms): for how late a reminder arrived. */
  receivedAt: WeakMap<ParsedMail, number>;
  /** Stop listening: connections are refused until `start()`. */
  stop(): Promise<void>;
  /** Listen again on the same port. */
  start(): Promise<void>;
  /** Answer each message this long after it arrives (0: at once). */
  delayMs: number;
  /**
   * Spread the answers: the nth message waits `delayMs + (n mod 5) × delaySpreadMs`, so the messages of one
   * batch (sent side by side) are not all acknowledged in the same instant.
   */
  delaySpreadMs: number;
  /** Recipients refused with 550 (permanently). */
  refuse: Set<string>;
  /** Keep the next N messages, then drop the connection instead of acknowledging them. */
  dropAfterData: number;
  /** Messages kept but not yet acknowledged (the sender is waiting for the 250): a kill now leaves it unsure. */
  readonly unacknowledged: number;
  close(): Promise<void>;
}

export async function startSmtpCapture(): Promise<SmtpCapture> {
  const messages: ParsedMail[] = [];
  let server: SMTPServer | undefined;
  let unacknowledged = 0;
  const capture: SmtpCapture = {
    url: '',
    messages,
    receivedAt: new WeakMap(),
    delayMs: 0,
    delaySpreadMs: 0,
    refuse: new Set(),
    dropAfterData: 0,
    get unacknowledged() {
      return unacknowledged;
    },
    stop: () => close(),
    start: () => listen(port),
    close: () => close(),
  };
  const sockets = new Set<{ destroy(): void }>();
  const make = () =>
    new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo(address, _session, callback) {
        if (capture.refuse.has(address.address)) {
          const err = new Error('Mailbox unavailable') as Error & { responseCode: number };
          err.responseCode = 550;
          return callback(err);
        }
        callback();
      },
      onData(stream, _session, callback) {
        simpleParser(stream)
          .then(async (mail) => {
            capture.receivedAt.set(mail, Date.now());
            messages.push(mail);
            if (capture.dropAfterData > 0) {
              capture.dropAfterData--;
              // Taken, never acknowledged: the sender's outcome is unknown.
              for (const s of sockets) s.destroy();
              return;
            }
            if (capture.delayMs > 0) {
              unacknowledged++;
              const spread = (messages.length % 5) * capture.delaySpreadMs;
              await new Promise((r) => setTimeout(r, capture.delayMs + spread));
              unacknowledged--;
            }
            callback();
          })
          .catch((err: Error) => callback(err));
      },
    });
  let port = 0;
  async function listen(at: number): Promise<void> {
    server = make();
    // A client that dies mid-conversation (a killed worker) resets its connection: expected here, not a failure.
    server.on('error', () => undefined);
    server.server.on('connection', (socket: { destroy(): void; on(e: string, f: () => void): void }) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server?.listen(at, '127.0.0.1', resolve));
    port = (server.server.address() as AddressInfo).port;
    capture.url = `smtp://127.0.0.1:${port}`;
  }
  async function close(): Promise<void> {
    const s = server;
    server = undefined;
    if (!s) return;
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
  await listen(0);
  return capture;
}

/** The addresses of a header field, flattened. */
export function addresses(field: ParsedMail['to']): string[] {
  if (!field) return [];
  const list = Array.isArray(field) ? field : [field];
  return list.flatMap((a) => a.value.map((v) => v.address ?? ''));
}

/** The X-Jtai-Message-Key header: `<deliverable>/<rung>/v<ladder version>` or `request-digest/<agency>`. */
export function messageKey(mail: ParsedMail): string {
  const value = mail.headers.get('x-jtai-message-key');
  return typeof value === 'string' ? value : '';
}
