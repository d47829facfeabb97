/**
 * Carrier names as sales people write them -> 快递100 company codes (`com`).
 * Codes are 快递100's own (lower-case); the full list is in their downloadable code table.
 */

interface CarrierInfo {
  /** Chinese display name. */
  name: string;
  /** Names and abbreviations people type, matched case-insensitively after trimming. */
  aliases: readonly string[];
}

export const CARRIERS: Readonly<Record<string, CarrierInfo>> = {
  shunfeng: { name: '顺丰速运', aliases: ['顺丰', '顺丰速运', '顺丰快递', '顺丰速递', 'SF', 'SF Express'] },
  zhongtong: { name: '中通快递', aliases: ['中通', '中通快递', '中通速递', 'ZTO'] },
  yuantong: { name: '圆通速递', aliases: ['圆通', '圆通速递', '圆通快递', 'YTO'] },
  shentong: { name: '申通快递', aliases: ['申通', '申通快递', 'STO'] },
  yunda: { name: '韵达快递', aliases: ['韵达', '韵达快递', '韵达速递', 'Yunda'] },
  jd: { name: '京东物流', aliases: ['京东', '京东物流', '京东快递', 'JD'] },
  debangwuliu: { name: '德邦快递', aliases: ['德邦', '德邦物流', '德邦快递', 'Deppon', 'DBL'] },
  // 快递100 also has `youzhengguonei` (邮政快递包裹); sales people rarely tell the two apart, so 邮政 -> ems.
  ems: { name: 'EMS', aliases: ['EMS', '邮政', '中国邮政', '邮政EMS', 'EMS快递', '邮政快递'] },
  jtexpress: { name: '极兔速递', aliases: ['极兔', '极兔速递', '极兔快递', 'J&T', 'JT'] },
  kuayue: { name: '跨越速运', aliases: ['跨越', '跨越速运', '跨越快递', 'KYE'] },
};

/** Carriers whose queries 快递100 answers only with the sender's or recipient's phone (full or last 4 digits). */
export const PHONE_REQUIRED_CARRIERS: ReadonlySet<string> = new Set(['shunfeng', 'zhongtong']);

const normalize = (s: string): string => s.trim().replace(/\s+/g, '').toLowerCase();

const BY_ALIAS: ReadonlyMap<string, string> = new Map(
  Object.entries(CARRIERS).flatMap(([code, info]) => [
    [normalize(code), code] as const,
    ...info.aliases.map((a) => [normalize(a), code] as const),
  ]),
);

/** Generic suffixes tried off when the exact name is unknown (not 快运: 顺丰快运/中通快运 are other codes). */
const SUFFIXES = ['快递公司', '快递', '速递', '速运', '物流', '公司'];

/** 快递100 code for a carrier name, abbreviation or code ('顺丰', 'sf', 'shunfeng' -> 'shunfeng'); undefined if unknown. */
export function carrierCode(name: string): string | undefined {
  const key = normalize(name);
  if (!key) return undefined;
  const exact = BY_ALIAS.get(key);
  if (exact) return exact;
  for (const suffix of SUFFIXES) {
    if (key.length > suffix.length && key.endsWith(suffix)) {
      const hit = BY_ALIAS.get(key.slice(0, -suffix.length));
      if (hit) return hit;
    }
  }
  return undefined;
}

/** Chinese display name for a 快递100 code; unknown codes are returned as given. */
export function carrierName(code: string): string {
  return CARRIERS[code.trim().toLowerCase()]?.name ?? code;
}

/** Waybill prefixes that identify the carrier without doubt. */
const PREFIXES: ReadonlyArray<readonly [RegExp, string]> = [
  [/^SF\d{10,}$/, 'shunfeng'],
  [/^JD[A-Z0-9]{8,}$/, 'jd'],
  [/^YT\d{10,}$/, 'yuantong'],
  [/^JT\d{10,}$/, 'jtexpress'],
];

/** Carrier from an obvious waybill prefix (SF…, JD…, YT…, JT…); undefined when it cannot be told. */
export function guessCarrier(waybill: string): string | undefined {
  const num = waybill.trim().replace(/\s+/g, '').toUpperCase();
  return PREFIXES.find(([re]) => re.test(num))?.[1];
}
