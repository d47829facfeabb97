import { maskPhone, maskPhonesInText, type SmsMessage, type SmsProvider, type SmsResult } from './port';

/** What the log provider keeps for each "sent" SMS (the playground shows these). */
export interface LoggedSms extends SmsMessage {
  providerId: string;
  at: Date;
}

export interface LogSmsOptions {
  /** Called for every recorded SMS (full phone: this is data for the playground, not a log line). */
  onSend?: (sms: LoggedSms) => void;
  /** Optional log sink; receives one line per SMS with the phone masked. */
  log?: (line: string) => void;
  now?: () => Date;
}

/** Sends nothing: records to an in-memory list and a callback. Always succeeds. */
export class LogSmsProvider implements SmsProvider {
  readonly name = 'log' as const;
  readonly sent: LoggedSms[] = [];
  private seq = 0;

  constructor(private readonly opts: LogSmsOptions = {}) {}

  async send(message: SmsMessage): Promise<SmsResult> {
    this.seq += 1;
    const entry: LoggedSms = {
      ...message,
      params: { ...message.params },
      providerId: `log-${this.seq}`,
      at: (this.opts.now ?? (() => new Date()))(),
    };
    this.sent.push(entry);
    this.opts.log?.(
      `[sms:log] to ${maskPhone(message.phone)} template=${message.template} outId=${message.outId}: ${maskPhonesInText(message.text)}`,
    );
    this.opts.onSend?.(entry);
    return { ok: true, providerId: entry.providerId };
  }

  clear(): void {
    this.sent.length = 0;
  }
}
