import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildCustomerIndex,
  type CustomerName,
  parseCustomerList,
  recognizeCustomers,
} from '../../domain/customers/index';

const LIST: CustomerName[] = [
  { id: 1, name: '大陆集团', aliases: ['Continental', '大陆', 'Conti'] },
  { id: 2, name: '博世', aliases: ['Bosch', '博世汽车'] },
  { id: 3, name: '采埃孚', aliases: ['ZF'] },
  { id: 4, name: '比亚迪', aliases: ['BYD'] },
  { id: 5, name: '大众', aliases: ['VW'] },
  { id: 6, name: '长城', aliases: [] },
  { id: 7, name: '理想汽车', aliases: ['理想'] },
  { id: 8, name: '上汽大众', aliases: [] },
  { id: 9, name: '博世汽车部件（苏州）有限公司', aliases: [] },
];
const index = buildCustomerIndex(LIST);
const names = (text: string) => recognizeCustomers(text, index).map((m) => m.name);

describe('recognizeCustomers: names anywhere in the message', () => {
  it.each([
    ['大陆集团要BRK-2026-01 5件', '大陆集团'],
    ['采埃孚 需要BRK-2026-01 5件', '采埃孚'],
    ['给博世做BRK-2026-01 5件', '博世'],
    ['客户采埃孚BRK-2026-01 5件', '采埃孚'],
    ['Conti wants BRK-2026-01 x5', '大陆集团'],
    ['BRK-2026-01 x5 for ZF', '采埃孚'],
    ['比亚迪那边要BRK-2026-01 5件', '比亚迪'],
    ['BRK-2026-01 samples ×5 by 3/5, Continental', '大陆集团'],
    ['bosch: BRK-2026-01 x5', '博世'],
    ['BYD needs 5 pcs of BRK-2026-01', '比亚迪'],
  ])('%s → %s', (text, name) => {
    expect(names(text)).toEqual([name]);
  });

  it('reports the text as the message wrote it', () => {
    expect(recognizeCustomers('ＣＯＮＴＩ wants BRK-2026-01', index)).toEqual([
      { id: 1, name: '大陆集团', matched: 'ＣＯＮＴＩ' },
    ]);
    expect(recognizeCustomers('大 陆 集 团要5件', index)).toEqual([
      { id: 1, name: '大陆集团', matched: '大 陆 集 团' },
    ]);
    expect(recognizeCustomers('给 BOSCH 做', index)).toEqual([{ id: 2, name: '博世', matched: 'BOSCH' }]);
  });

  it('ignores width, case and spacing', () => {
    for (const text of ['conti要', 'CONTI要', 'Ｃｏｎｔｉ要', 'C o n t i 要', 'co\u200Bnti要']) {
      expect(names(text), text).toEqual(['大陆集团']);
    }
  });

  it('the longest of overlapping candidates wins', () => {
    const split = buildCustomerIndex([
      { id: 1, name: '大陆集团', aliases: [] },
      { id: 2, name: '大陆', aliases: [] },
    ]);
    expect(recognizeCustomers('大陆集团要BRK-2026-01 5件', split).map((m) => m.id)).toEqual([1]);
    expect(recognizeCustomers('大陆要BRK-2026-01 5件', split).map((m) => m.id)).toEqual([2]);
    expect(names('上汽大众要BRK-2026-01 5件')).toEqual(['上汽大众']);
    expect(names('博世汽车要5件')).toEqual(['博世']);
  });

  it('lists every customer named, longest match first, then by position', () => {
    expect(names('博世和大陆集团都要BRK-2026-01 5件')).toEqual(['大陆集团', '博世']);
    expect(names('大陆和博世都要BRK-2026-01 5件')).toEqual(['大陆集团', '博世']);
    expect(names('Conti要5件，大陆集团也要')).toEqual(['大陆集团']);
  });

  it('a name shared by two customers names both (ambiguous)', () => {
    const shared = buildCustomerIndex([
      { id: 1, name: '华东精密', aliases: ['华精'] },
      { id: 2, name: '华北精工', aliases: ['华精'] },
    ]);
    expect(recognizeCustomers('华精要BRK-2026-01 5件', shared).map((m) => m.id)).toEqual([1, 2]);
  });

  it('finds a full company name also without its legal form and parenthesised parts', () => {
    expect(names('博世汽车部件 BRK-2026-01 500件')).toEqual(['博世汽车部件（苏州）有限公司']);
    expect(names('博世汽车部件有限公司 BRK-2026-01 500件')).toEqual(['博世汽车部件（苏州）有限公司']);
    expect(names('博世汽车部件(苏州)有限公司 BRK-2026-01 500件')).toEqual(['博世汽车部件（苏州）有限公司']);
    const latin = buildCustomerIndex([{ id: 1, name: 'Mahle Co., Ltd.', aliases: [] }]);
    expect(recognizeCustomers('for Mahle, 5 pcs of BRK-2026-01', latin).map((m) => m.matched)).toEqual(['Mahle']);
  });

  it('none: [] (and no crash on odd input)', () => {
    expect(recognizeCustomers('需要BRK-2026-01样品5件，3月5日前到', index)).toEqual([]);
    expect(recognizeCustomers('', index)).toEqual([]);
    expect(recognizeCustomers(undefined as unknown as string, index)).toEqual([]);
    expect(recognizeCustomers('大陆集团', buildCustomerIndex([]))).toEqual([]);
  });

  it('ignores names of one character and of digits only', () => {
    const odd = buildCustomerIndex([{ id: 1, name: '东', aliases: ['A', '123', ' '] }]);
    expect(odd.nameCount).toBe(0);
    expect(recognizeCustomers('东 A 123件', odd)).toEqual([]);
  });

  it('counts customers and distinct names', () => {
    const small = buildCustomerIndex([
      { id: 1, name: '大陆集团', aliases: ['大陆', 'Conti', 'CONTI', 'conti '] },
      { id: 2, name: '博世', aliases: [] },
    ]);
    expect(small.customerCount).toBe(2);
    expect(small.nameCount).toBe(4);
  });
});

describe('recognizeCustomers: whole words only', () => {
  it.each([
    '大众要BRK-2026-01 5件',
    '给大众做BRK-2026-01 5件',
    '帮大众做BRK-2026-01',
    '客户大众 BRK-2026-01 5件',
    '客户是大众，BRK-2026-01 5件',
    '大众，BRK-2026-01 5件',
    '大众 BRK-2026-01 5件',
    'BRK-2026-01 5件 大众',
    'BRK-2026-01 5件（大众）',
    '这次大众要5件',
    '大众的BRK-2026-01 5件',
    '大众那边催BRK-2026-01',
    '大众说BRK-2026-01 要5件',
    '大众下单BRK-2026-01 5件',
    '博世和大众都要BRK-2026-01',
    'for 大众: BRK-2026-01 x5',
    'VW wants BRK-2026-01 x5',
    'BRK-2026-01 x5 (VW)',
  ])('%s names 大众', (text) => {
    expect(names(text)).toContain('大众');
  });

  it.each([
    ['大众化的设计', '大众'],
    ['大众点评上看到的', '大众'],
    ['扩大众多产品线', '大众'],
    ['长城宽带又断网了', '长城'],
    ['爬长城去了', '长城'],
    ['理想的交期是3月5日', '理想汽车'],
    ['结果不太理想', '理想汽车'],
    ['这个方案很理想', '理想汽车'],
    ['ZF01 5件', '采埃孚'],
    ['zfx 5件', '采埃孚'],
    ['BRK-ZF 5件', '采埃孚'],
    ['BRK-ZF-01 5件', '采埃孚'],
    ['ZF-2026-01 5件', '采埃孚'],
    ['ZF_01 5件', '采埃孚'],
    ['Continental', '__none__'],
    ['ContiTech wants 5', '大陆集团'],
    ['VWX-2026-01 5件', '大众'],
    ['5 vwagen', '大众'],
  ])('%s does not name %s', (text, name) => {
    expect(names(text)).not.toContain(name);
  });

  it('a Latin name joined by - or _ to letters or digits is part of a code', () => {
    expect(names('Bosch-Rexroth 5件')).toEqual([]);
    expect(names('Bosch - Rexroth 5件')).toEqual(['博世']);
    expect(names('Bosch/Conti 各5件')).toEqual(['博世', '大陆集团']);
  });

  it('never inside an order number, a code, a spec, a waybill or an @-mention', () => {
    const odd = buildCustomerIndex([
      { id: 1, name: 'Ra Industries', aliases: ['RA', 'SF', 'SO'] },
      { id: 2, name: '小米', aliases: [] },
    ]);
    const seen = (text: string) => recognizeCustomers(text, odd).map((m) => m.id);
    expect(seen('BRK-2026-01 Ra≤0.8μm 5件')).toEqual([]);
    expect(seen('顺丰 SF1234567890 已发')).toEqual([]);
    expect(seen('顺丰 SF 1234567890 已发')).toEqual([]);
    expect(seen('SO-20260224-0001 到哪了')).toEqual([]);
    expect(seen('@小米 BRK-2026-01 5件')).toEqual([]);
    expect(seen('BRK-2026-01 5件 @小米 帮忙看下')).toEqual([]);
    expect(seen('小米要BRK-2026-01 5件')).toEqual([2]);
    expect(seen('for RA, BRK-2026-01 x5')).toEqual([1]);
  });
});

describe('recognizeCustomers: long messages', () => {
  it('recognises in a 10,000-character message in under 50 ms (adversarial inputs)', () => {
    const units = [
      'a',
      ' ',
      'zf ',
      'ZF-',
      '大众',
      '大众要',
      '大陆集团',
      'conti',
      '@a ',
      'BRK-2026-01 ',
      'Ra≤0.8μm ',
      'SO-20260224-0001 ',
      '1',
      '中',
    ];
    recognizeCustomers('大陆集团要BRK-2026-01 5件'.repeat(50), index); // warm up
    for (const u of units) {
      const text = u.repeat(Math.ceil(10_000 / u.length)).slice(0, 10_000);
      let best = Infinity;
      for (let k = 0; k < 3; k++) {
        const t0 = performance.now();
        recognizeCustomers(text, index);
        best = Math.min(best, performance.now() - t0);
      }
      expect(best, JSON.stringify(u)).toBeLessThan(50);
    }
  });
});

describe('recognizeCustomers: properties', () => {
  const hanPool = [...'华宏鑫瑞恒泰达信安盛隆德兴源昌威博凯锐航拓精远成汇联通盈科捷丰宇峰'];
  const fillerPool = [...'需要要的了件套个样品批量到前后今天明天客户那边这边和也都急发货进度'];
  const letters = [...'abcdefghijklmnopqrstuvwxyz'];
  const hanName = fc.string({ unit: fc.constantFrom(...hanPool), minLength: 2, maxLength: 5 });
  const latinName = fc.string({ unit: fc.constantFrom(...letters), minLength: 2, maxLength: 7 });
  const customersArb = fc
    .uniqueArray(fc.tuple(hanName, fc.array(fc.oneof(hanName, latinName), { maxLength: 3 })), {
      minLength: 1,
      maxLength: 12,
      selector: ([name]) => name,
    })
    .map((rows) => rows.map(([name, aliases], i): CustomerName => ({ id: i + 1, name, aliases })));
  // Messages as sales people write them, and arbitrary text without @ (an @-token is a mention).
  const baseArb = fc.oneof(
    fc.constantFrom(
      '需要BRK-2026-01样品5件，3月5日前到',
      'BRK-2026-01 samples ×5 by 3/5',
      '客户：某某 BRK-2026-03、BRK-2026-04 各两千件 加急 3月底',
      'SO-20260224-0001 发货了吗',
      '',
    ),
    fc.string({ unit: fc.constantFrom(...fillerPool, ...letters, ...'0123456789 -,.:，。BRKSO'), maxLength: 40 }),
  );
  const insert = (base: string, pos: number, name: string) => {
    const i = pos % (base.length + 1);
    return `${base.slice(0, i)}，${name}，${base.slice(i)}`;
  };

  it('a known name inserted anywhere (between punctuation) is recognised', () => {
    fc.assert(
      fc.property(customersArb, baseArb, fc.nat(), fc.nat(), (customers, base, pos, which) => {
        const c = customers[which % customers.length] as CustomerName;
        const all = [c.name, ...c.aliases];
        const name = all[Math.floor(which / customers.length) % all.length] as string;
        const ids = recognizeCustomers(insert(base, pos, name), buildCustomerIndex(customers)).map((m) => m.id);
        expect(ids).toContain(c.id);
      }),
      { numRuns: 500 },
    );
  });

  it('the width, case and spacing of the name do not change the result', () => {
    const vary = (name: string, bits: number[]) =>
      [...name]
        .map((ch, i) => {
          const b = bits[i % bits.length] as number;
          let out = ch;
          if (b & 1) out = out.toUpperCase();
          if (b & 2 && /[!-~]/.test(out)) out = String.fromCharCode(out.charCodeAt(0) + 0xfee0);
          if (b & 4 && i > 0) out = ` ${out}`;
          return out;
        })
        .join('');
    fc.assert(
      fc.property(
        customersArb,
        baseArb,
        fc.nat(),
        fc.nat(),
        fc.array(fc.nat({ max: 7 }), { minLength: 1, maxLength: 8 }),
        (customers, base, pos, which, bits) => {
          const index = buildCustomerIndex(customers);
          const c = customers[which % customers.length] as CustomerName;
          const all = [c.name, ...c.aliases];
          const name = all[Math.floor(which / customers.length) % all.length] as string;
          const ids = (text: string) => recognizeCustomers(text, index).map((m) => m.id);
          expect(ids(insert(base, pos, vary(name, bits)))).toEqual(ids(insert(base, pos, name)));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('never throws, and reports text the message holds', () => {
    const index = buildCustomerIndex(LIST);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 200 }).map((t) => t.replaceAll('@', '')),
          baseArb,
        ),
        fc.nat(),
        (base, pos) => {
          const text = insert(base, pos, '大众');
          const found = recognizeCustomers(text, index);
          expect(found.map((m) => m.id)).toContain(5);
          for (const m of found) expect(text).toContain(m.matched);
          expect(new Set(found.map((m) => m.id)).size).toBe(found.length);
          recognizeCustomers(base, index);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('a name inside a material code, an order number or a waybill never matches', () => {
    fc.assert(
      fc.property(latinName, fc.constantFrom(...'0123456789'), (alias, digit) => {
        const index = buildCustomerIndex([{ id: 1, name: `${alias}公司`, aliases: [alias] }]);
        const up = alias.toUpperCase();
        for (const text of [
          `需要BRK-${up}-0${digit} 5件`,
          `${up}-2026-0${digit} 样品5件`,
          `${up}-${alias}${digit} x5`,
          `BRK-${up} 5件`,
          `${up}${digit}${digit} 5件`,
          `物料${alias}_0${digit}要5件`,
          `单号 ${up}12345678${digit} 已发`,
          `SO-2026022${digit}-0001 ${up}-0${digit} 到哪了`,
        ]) {
          expect(recognizeCustomers(text, index), text).toEqual([]);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('parseCustomerList', () => {
  it('reads one customer a line: the name, then aliases separated by tabs', () => {
    const text = '\uFEFF# name\taliases\n大陆集团\tContinental\t大陆\tConti\r\n\n博世\tBosch\t\n  # old\n采埃孚\n';
    expect(parseCustomerList(text)).toEqual({
      ok: true,
      customers: [
        { id: 1, name: '大陆集团', aliases: ['Continental', '大陆', 'Conti'] },
        { id: 2, name: '博世', aliases: ['Bosch'] },
        { id: 3, name: '采埃孚', aliases: [] },
      ],
    });
  });

  it('refuses a line without a name, and a name listed twice', () => {
    expect(parseCustomerList('大陆集团\n\tConti\n')).toEqual({ ok: false, line: 2, error: 'no-name', text: '\tConti' });
    expect(parseCustomerList('博世\n博世\tBosch')).toMatchObject({ ok: false, line: 2, error: 'duplicate-name' });
  });
});
