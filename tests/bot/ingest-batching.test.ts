import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inboundMessages } from '../../db/schema';
import type { MessageEvent } from '../../core/events';
import { TestApp } from '../support/app';
import { salesMessage } from '../support/chat-message';
import { backends } from '../support/databases';

/** Small talk in the group: stored, not addressed to the bot. */
function message(id: string): MessageEvent {
  return { ...salesMessage('大家好', id, new Date()), addressedToBot: false };
}

describe.each(backends)('inbound events arriving together on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start(backend);
  });
  afterAll(async () => {
    await t.close();
  });

  it('are stored once each, and one that fails alone does not refuse the others', async () => {
    const bot = t.app.bot;
    const outcome = (r: PromiseSettledResult<{ duplicate: boolean }>) =>
      r.status === 'fulfilled' ? (r.value.duplicate ? 'duplicate' : 'stored') : 'refused';
    const ids = Array.from({ length: 40 }, (_, i) => `batch-${i}`);
    // WeCom's retry racing the original lands in the same batch.
    const together = await Promise.allSettled([
      ...ids.map((id) => bot.ingest(message(id), id)),
      bot.ingest(message('batch-7'), 'batch-7'),
    ]);
    expect(together.map(outcome)).toEqual([...ids.map(() => 'stored'), 'duplicate']);
    // One whose adapter record cannot be written fails the batch; the others are then stored one by one.
    const more = ['batch-40', 'batch-41', 'batch-42'];
    const withBad = await Promise.allSettled([
      ...more.map((id) => bot.ingest(message(id), id)),
      bot.ingest(message('batch-bad'), 'batch-bad', {
        alsoInTx: async () => {
          throw new Error('the adapter could not store its record');
        },
      }),
      bot.ingest(message('batch-3'), 'batch-3'),
    ]);
    expect(withBad.map(outcome)).toEqual(['stored', 'stored', 'stored', 'refused', 'duplicate']);
    const rows = await t.db.select({ externalId: inboundMessages.externalId }).from(inboundMessages);
    expect(rows.map((r) => r.externalId).sort()).toEqual([...ids, ...more].sort());
    await t.settle();
  });
});
