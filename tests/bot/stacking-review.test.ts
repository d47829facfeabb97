import { afterEach, describe, expect, it } from 'vitest';
import { loadBusinessConfig } from '../../config/business-config';
import { cards, stackingReviews } from '../../db/schema';
import { reviewRuleStacking } from '../../handlers/stacking-review';
import { TestApp } from '../support/app';
import { backends, useTestDatabase } from '../support/databases';
import { insertRules, received, store } from '../handlers/stacking-fixtures';

/** Signs in to the board as the demo user (the playground accepts the demo password). */
async function boardCookie(t: TestApp): Promise<string> {
  const res = await fetch(`${t.url}/board/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username: 'ops', password: 'orderbot' }),
  });
  return (res.headers.get('set-cookie') ?? '').split(';')[0]!;
}

describe.each(backends)('rule stacking across channels, end to end on %s', (backend) => {
  const database = useTestDatabase(backend);
  const apps: TestApp[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((a) => a.close()));
  });

  it('a buyer linked in the chat, a buyer linked by phone, one review card to the supervisor, one decision', async () => {
    const config = loadBusinessConfig();
    config.channels.reviewer = 'zhouzong';
    const t = await TestApp.start(backend, { database: database(), fresh: true, config });
    apps.push(t);
    const now = t.clock.now();
    await insertRules(t.db, now);
    // Douyin gives no phone; JD's copy carries the receiver's mobile, which is 博世's contact phone in the demo data.
    await store(
      t.db,
      [
        received({
          channel: 'douyin',
          orderId: 'DY1001',
          buyerKey: 'dy_open_abc',
          paidAt: '2026-02-24T00:10:00Z',
          lines: [['BRK-2026-01', 2, 20000]],
        }),
        received({
          channel: 'jd',
          orderId: 'JD2001',
          buyerKey: 'jd_open_xyz',
          paidAt: '2026-02-24T01:10:00Z',
          lines: [['BRK-2026-01', 1, 20000]],
          phone: '13800138002',
        }),
        // An unlinked buyer who ordered twice: listed on the board for someone to link.
        ...['TB1', 'TB2'].map((orderId, i) =>
          received({
            channel: 'taobao',
            orderId,
            buyerKey: 'tb_buyer_<7>',
            paidAt: `2026-02-2${i}T01:00:00Z`,
            lines: [['BRK-2026-02', 1, 9900]],
          }),
        ),
      ],
      now,
    );

    await t.say('关联买家 抖音 dy_open_abc 博世', { senderId: 'zhangsan' });
    await t.settle();
    const replies = t.botMessages(await t.state());
    expect(replies.at(-1)).toContain('已将抖音买家 dy_open_abc 关联到“博世”');

    const job = () => t.app.bot.runScheduled('stacking', (ctx) => reviewRuleStacking(ctx));
    await Promise.all([job(), job()]);
    await job();
    await t.settle();
    expect(await t.db.select().from(stackingReviews)).toHaveLength(1);
    const inbox = (await t.state()).inbox.zhouzong ?? [];
    expect(inbox).toHaveLength(1);
    const card = inbox[0]!;
    const links = card.fields.find((f) => f.label === '客户关联')?.value;
    expect(links).toContain('抖音买家 dy_open_abc：张三手动关联');
    expect(links).toContain('京东买家 jd_open_xyz：手机号自动匹配');
    expect(card.buttons.map((b) => b.label)).toEqual(['确认叠用', '忽略']);
    expect(await t.db.select({ id: cards.id }).from(cards)).toContainEqual({ id: card.id });

    // The board lists the open item and the unlinked repeat buyer (escaped).
    const cookie = await boardCookie(t);
    const page = await (await fetch(`${t.url}/board/stacking`, { headers: { cookie } })).text();
    expect(page).toMatch(/<tr class="review open" data-review="\d+">/);
    expect(page).toContain('博世');
    expect(page).toContain('DY-MJ50');
    expect(page).toContain('tb_buyer_&lt;7&gt;');
    expect(page).not.toContain('tb_buyer_<7>');

    expect((await t.tap(card.id, 'lisi', 'confirm')).status).toBe(202);
    expect((await t.tap(card.id, 'zhouzong', 'dismiss', '客户本来就两边都买')).status).toBe(202);
    await t.settle();
    expect((await t.tap(card.id, 'zhouzong', 'confirm')).status).toBe(202);
    await t.settle();
    const state = await t.state();
    const dm = (id: string) => t.botMessages(state, `dm:${id}`);
    expect(dm('lisi').join()).toContain('运营主管周总');
    expect(dm('zhouzong').join()).toContain('已由周总');
    expect(state.inbox.zhouzong?.[0]?.resolved?.text).toContain('已忽略 · 周总');
    expect(state.inbox.zhouzong?.[0]?.resolved?.text).toContain('客户本来就两边都买');
    const [review] = await t.db.select().from(stackingReviews);
    expect(review).toMatchObject({ status: 'dismissed', reviewer: 'zhouzong', reason: '客户本来就两边都买' });

    const after = await (await fetch(`${t.url}/board/stacking?lang=en`, { headers: { cookie } })).text();
    expect(after).toMatch(/<tr class="review dismissed"/);
    expect(after).toContain('Dismissed');
    expect(await (await fetch(`${t.url}/board/stacking`, { redirect: 'manual' })).status).toBe(302);
  });
});
