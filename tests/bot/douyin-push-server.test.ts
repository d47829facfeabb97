import { afterEach, describe, expect, it } from 'vitest';
import { loadBusinessConfig } from '../../config/business-config';
import { readEnv } from '../../config/env';
import { channelMessages } from '../../db/schema';
import { DOUYIN_PUSH_PATH } from '../../integrations/channels/douyin-push';
import { pushSign } from '../../integrations/channels/douyin-sign';
import { TestApp } from '../support/app';
import { backends, useTestDatabase } from '../support/databases';

const APP_KEY = '7123456789012345678';
const SECRET = 'douyin-app-secret-for-tests';

/** The product's own server: its body parser must leave the signed bytes to the Douyin route. */
describe.each(backends)('the Douyin message push on the product server on %s', (backend) => {
  const database = useTestDatabase(backend);
  const apps: TestApp[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((a) => a.close()));
  });
  const start = async () => {
    const base = loadBusinessConfig();
    const config = {
      ...base,
      channels: {
        ...base.channels,
        shops: [
          {
            channel: 'douyin' as const,
            shop: '88880001',
            name: '抖店旗舰店',
            appKey: APP_KEY,
            secretEnv: 'DOUYIN_APP_SECRET',
            pollEvery: 300_000,
            firstLookback: 86_400_000,
          },
        ],
      },
    };
    const env = readEnv({ DOUYIN_APP_SECRET: SECRET });
    const t = await TestApp.start(backend, { database: database(), fresh: true, env, config });
    apps.push(t);
    return t;
  };
  const push = (t: TestApp, body: string, sign = pushSign(APP_KEY, Buffer.from(body), SECRET)) =>
    fetch(`${t.url}${DOUYIN_PUSH_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'app-id': APP_KEY, 'event-sign': sign },
      body,
    });

  it('stores a signed push once and answers success; a bad signature or a malformed body stores nothing', async () => {
    const t = await start();
    // Key order and spacing as Douyin sends them: re-serialising would change the signed bytes.
    const body = `[{"tag":"100", "msg_id":"m-1","data":"{\\"p_id\\":6920000000000000001,\\"shop_id\\":88880001,\\"order_status\\":1}"}]`;
    const bad = await push(t, body, '0'.repeat(32));
    expect(bad.status).toBe(401);
    expect(await bad.json()).toEqual({ code: 1, msg: 'fail' });
    const malformed = await push(t, '[{"tag":', pushSign(APP_KEY, Buffer.from('[{"tag":'), SECRET));
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toEqual({ code: 1, msg: 'fail' });
    expect(await t.db.select().from(channelMessages)).toEqual([]);

    for (let i = 0; i < 2; i++) {
      const ok = await push(t, body);
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ code: 0, msg: 'success' });
    }
    const rows = await t.db.select().from(channelMessages);
    expect(rows.map((r) => [r.shop, r.messageId, r.orderId, r.topic])).toEqual([
      ['88880001', 'm-1', '6920000000000000001', '100'],
    ]);
  });
});
