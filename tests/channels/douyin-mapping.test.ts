import { createHash, createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseLosslessJson, sortedJson, stringParams } from '../../integrations/channels/douyin-json';
import { chinaTimeToIso, douyinReceivedOrder, douyinSettlementLines } from '../../integrations/channels/douyin-order';
import { apiSign, pushSign, sameSignature } from '../../integrations/channels/douyin-sign';

describe('Douyin wire helpers and mapping (properties)', () => {
  it('parseLosslessJson equals JSON.parse on safe values and keeps every digit of int64 ids', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value);
        // integers written as digits beyond 2^53 come back as their digits; everything else as JSON.parse
        const digits = (_k: string, v: unknown) =>
          typeof v === 'number' && Number.isInteger(v) && !Number.isSafeInteger(v) && Math.abs(v) < 1e21
            ? String(v)
            : v;
        expect(parseLosslessJson(text)).toEqual(JSON.parse(text, digits));
      }),
    );
    fc.assert(
      fc.property(fc.bigInt({ min: 2n ** 53n, max: 2n ** 63n - 1n }), fc.string(), (id, note) => {
        const text = `{"p_id":${id},"note":${JSON.stringify(note)},"ids":[${id},-${id}],"amount":12.5}`;
        expect(parseLosslessJson(text)).toEqual({ p_id: String(id), note, ids: [String(id), `-${id}`], amount: 12.5 });
      }),
    );
  });

  it('param_json has its keys sorted at every level and every value as a string', () => {
    expect(sortedJson(stringParams({ size: 100, b: { z: true, a: [1, 'x/<&>'] }, a: null }))).toBe(
      '{"b":{"a":["1","x/<&>"],"z":"true"},"size":"100"}',
    );
  });

  it('signatures: the documented pattern, HMAC-SHA256 keyed by the secret or MD5; the push md5 over raw bytes', () => {
    const args = { appKey: 'k', secret: 's', method: 'order.searchList', paramJson: '{"page":"0"}', timestamp: '1' };
    const pattern = 'sapp_keykmethodorder.searchListparam_json{"page":"0"}timestamp1v2s';
    expect(apiSign({ ...args, signMethod: 'hmac-sha256' })).toBe(
      createHmac('sha256', 's').update(pattern).digest('hex'),
    );
    expect(apiSign({ ...args, signMethod: 'md5' })).toBe(createHash('md5').update(pattern).digest('hex'));
    // raw bytes, including a byte sequence that is not valid UTF-8
    const body = Buffer.from([0x5b, 0xff, 0x5d]);
    expect(pushSign('k', body, 's')).toBe(
      createHash('md5')
        .update(Buffer.concat([Buffer.from('k'), body, Buffer.from('s')]))
        .digest('hex'),
    );
    expect(sameSignature('abc', 'ABC')).toBe(true);
    expect(sameSignature('abc', 'abd')).toBe(false);
    expect(sameSignature('abc', 'abcd')).toBe(false);
  });

  it('any line total survives the mapping exactly, and settle lines add up to settle_amount', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 1, max: 500 }),
        fc.integer({ min: 0, max: 100_000 }),
        (total, quantity, unit) => {
          const received = douyinReceivedOrder('shop', {
            order_id: '6920000000000000001',
            order_status: 2,
            create_time: 1_700_000_000,
            pay_time: 1_700_000_010,
            update_time: 1_700_000_020,
            pay_amount: total,
            post_amount: 0,
            doudian_open_id: 'b',
            sku_order_list: [
              {
                order_id: '6920000000000000001',
                out_sku_id: 'S',
                item_num: quantity,
                origin_amount: unit,
                sum_amount: total,
              },
            ],
          });
          const lines = received.order.lines;
          expect(lines.reduce((s, l) => s + l.quantity * l.unitPriceFen, 0)).toBe(total);
          expect(lines.reduce((s, l) => s + l.quantity, 0)).toBe(quantity);
        },
      ),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: -1_000_000, max: 1_000_000 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 6, maxLength: 6 }),
        (settle, income, fees) => {
          const [
            commission,
            platform_service_fee,
            colonel_service_fee,
            channel_promotion_fee,
            other_sharing_amount,
            good_learn_channel_fee,
          ] = fees;
          const lines = douyinSettlementLines({
            settle_time: '2026-03-01 23:59:59',
            request_no: 'R1',
            shop_order_id: '1',
            order_id: '1',
            trade_type: 0,
            settle_amount: settle,
            total_income: income,
            commission,
            platform_service_fee,
            colonel_service_fee,
            channel_promotion_fee,
            other_sharing_amount,
            good_learn_channel_fee,
          });
          expect(lines.reduce((s, l) => s + l.amountFen, 0)).toBe(settle);
          expect(new Set(lines.map((l) => l.lineKey)).size).toBe(lines.length);
        },
      ),
    );
    expect(chinaTimeToIso('2026-01-31 23:59:59')).toBe('2026-01-31T15:59:59Z');
    expect(() => chinaTimeToIso('2026-01-31T23:59:59')).toThrow(RangeError);
  });
});
