import type { Database } from '../../db/client';
import { playgroundItems } from '../../db/schema';
import { LogSmsProvider } from '../../integrations/sms/log-provider';
import type { SmsMessage, SmsProvider, SmsResult } from '../../integrations/sms/port';

/** The `log` provider as the playground uses it: each SMS also lands in the playground's SMS pane. */
export class PlaygroundSmsProvider implements SmsProvider {
  readonly name = 'log' as const;
  private readonly inner: LogSmsProvider;

  constructor(private readonly deps: { db: Database; clock: () => Date; log?: (line: string) => void }) {
    this.inner = new LogSmsProvider({ now: deps.clock, ...(deps.log ? { log: deps.log } : {}) });
  }

  async send(message: SmsMessage): Promise<SmsResult> {
    const result = await this.inner.send(message);
    this.inner.clear();
    await this.deps.db
      .insert(playgroundItems)
      .values({
        deliveryKey: message.outId,
        channel: 'sms',
        kind: 'sms',
        senderId: message.phone,
        text: message.text,
        at: this.deps.clock(),
      })
      .onConflictDoNothing();
    return result;
  }
}
