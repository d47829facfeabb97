import { describe, expect, it } from 'vitest';
import { countApiCalls, monthUsage } from '../../db/api-quota';
import { backends, useTestDatabase } from '../support/databases';

describe.each(backends)('API call counts (%s)', (backend) => {
  const database = useTestDatabase(backend);

  it('counts calls made at once in one statement, each answered with its month’s total', async () => {
    const { db } = database();
    // 2026-03-31 20:00 UTC is already April 1st in China: the quota's month is China's.
    const march = new Date('2026-03-31T10:00:00Z');
    const april = new Date('2026-03-31T20:00:00Z');
    expect(await countApiCalls(db, 'dingtalk', [{ api: 'PUT /v1.0/card/instances', at: march }])).toEqual([1]);
    const totals = await countApiCalls(db, 'dingtalk', [
      { api: 'PUT /v1.0/card/instances', at: march },
      { api: 'POST /v1.0/robot/groupMessages/send', at: march },
      { api: 'PUT /v1.0/card/instances', at: march },
      { api: 'PUT /v1.0/card/instances', at: april },
    ]);
    expect(totals).toEqual([4, 4, 4, 1]);
    expect(await countApiCalls(db, 'wecom', [{ api: 'message/send', at: march }])).toEqual([1]);
    expect(await monthUsage(db, 'dingtalk', march)).toMatchObject({ month: '2026-03', calls: 4 });
    expect(await monthUsage(db, 'dingtalk', april)).toMatchObject({ month: '2026-04', calls: 1 });
  });
});
