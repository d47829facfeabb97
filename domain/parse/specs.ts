/**
 * Technical specs: "Ra≤0.8μm", "Ra<=0.8um", "Ra0.8", "粗糙度Ra≤1.6", "硬度HRC≥58", "HRC 58-62",
 * "58-62HRC", "平面度≤0.05mm", "Rz<3.2µm", "厚度5±0.1mm", "flatness 0.05mm max".
 *
 * Rules: op normalised to '<=' | '<' | '>=' | '>' | '='; no op written → '='. A range gives two
 * specs ('>=' low, '<=' high); "a±b" likewise. Units: um/µm/μm/微米 → "μm", 毫米 → "mm", others
 * as written. Hardness scales (HRC, HRB, HRA, HV, HB) are the param, never the unit, so
 * "硬度58HRC" and "HRC≥58" both give {param:'HRC', unit:null}. A Chinese descriptor directly
 * followed by a code ("粗糙度Ra≤1.6") reports the code.
 */
import type { ParsedSpec, SpecOp } from './types';
import type { Span } from './mask';

export interface SpecHit extends Span {
  specs: ParsedSpec[];
}

const CODES: Record<string, string> = {
  ra: 'Ra',
  rz: 'Rz',
  rq: 'Rq',
  rt: 'Rt',
  rmax: 'Rmax',
  hrc: 'HRC',
  hrb: 'HRB',
  hra: 'HRA',
  hv: 'HV',
  hb: 'HB',
  hbw: 'HBW',
};
const HARDNESS = new Set(['HRC', 'HRB', 'HRA', 'HV', 'HB', 'HBW']);

const CN_PARAMS = [
  '表面粗糙度',
  '粗糙度',
  '光洁度',
  '硬度',
  '平面度',
  '平行度',
  '垂直度',
  '圆柱度',
  '圆度',
  '同轴度',
  '同心度',
  '全跳动',
  '圆跳动',
  '跳动',
  '直线度',
  '位置度',
  '轮廓度',
  '对称度',
  '公差',
  '镀层厚度',
  '膜厚',
  '壁厚',
  '厚度',
  '外径',
  '内径',
  '孔径',
  '直径',
  '长度',
  '宽度',
  '高度',
  '深度',
  '精度',
  '抗拉强度',
  '屈服强度',
  '拉伸强度',
];
const EN_PARAMS = [
  'roughness',
  'hardness',
  'flatness',
  'parallelism',
  'perpendicularity',
  'roundness',
  'concentricity',
  'runout',
  'straightness',
  'tolerance',
  'thickness',
  'diameter',
];

const CODE_SRC = '(?:rmax|hrc|hrb|hra|hbw|hv|hb|ra|rz|rq|rt)';
const DESC_SRC = `(?:${CN_PARAMS.join('|')}|${EN_PARAMS.join('|')})`;
const OP_SRC =
  '(?:<=|=<|≤|>=|=>|≥|<|>|=|不大于|不超过|小于等于|小于|不小于|不低于|大于等于|大于|max\\.?|min\\.?|最大|最小)';
const NUM_SRC = '(?:\\d+(?:\\.\\d+)?|\\.\\d+)';
const UNIT_SRC = '(?:μm|um|mm|微米|毫米|cm|°|mpa|gpa|kgf|kg|%|g(?![a-z])|n(?![a-z])|m(?![a-z]))';
const SUFFIX_OP_SRC = '(?:以下|以上|以内|或以下|或以上|及以下|及以上|max\\.?|min\\.?|maximum|minimum)';
const RANGE_SEP = '(?:-|~|至|到)';

// Whitespace is only ever optional right before a mandatory token ("\s*(?:X\s*)?" is avoided),
// so a failing match backtracks in linear time.
const NUM_END = '(?!\\d|\\.\\d)';
// param [op] value [(range|±) value] [unit] [suffix-op]
const PARAM_RE = new RegExp(
  `(?<![A-Za-z])(?:(${DESC_SRC})\\s*(?:[:：]\\s*)?)?(${CODE_SRC}|${DESC_SRC})(?![A-Za-z])\\s*(?:[:：]\\s*)?(?:(${OP_SRC})\\s*)?(${NUM_SRC})${NUM_END}` +
    `(?:\\s*(${RANGE_SEP}|±|\\+/-)\\s*(${NUM_SRC})${NUM_END})?(?:\\s*(${UNIT_SRC}))?(?![A-Za-z])(?:\\s*(${SUFFIX_OP_SRC}))?`,
  'gi',
);
// value[-value] scale, e.g. "58-62HRC", "硬度 58~62 HRC"
const SCALE_AFTER_RE = new RegExp(
  `(?<![A-Za-z0-9.])(?:(硬度|hardness)\\s*(?:[:：]\\s*)?)?(?:(${OP_SRC})\\s*)?(${NUM_SRC})${NUM_END}(?:\\s*(${RANGE_SEP})\\s*(${NUM_SRC})${NUM_END})?\\s*(hrc|hrb|hra|hbw|hv|hb)(?![A-Za-z])`,
  'gi',
);

function normOp(raw: string | undefined): SpecOp {
  if (!raw) return '=';
  const s = raw.toLowerCase().replace(/\.$/, '');
  switch (s) {
    case '<=':
    case '=<':
    case '≤':
    case '不大于':
    case '不超过':
    case '小于等于':
    case 'max':
    case '最大':
    case '以下':
    case '以内':
    case '或以下':
    case '及以下':
    case 'maximum':
      return '<=';
    case '>=':
    case '=>':
    case '≥':
    case '不小于':
    case '不低于':
    case '大于等于':
    case 'min':
    case '最小':
    case '以上':
    case '或以上':
    case '及以上':
    case 'minimum':
      return '>=';
    case '<':
    case '小于':
      return '<';
    case '>':
    case '大于':
      return '>';
    default:
      return '=';
  }
}

function normUnit(raw: string | undefined): string | null {
  if (!raw) return null;
  const s = raw.toLowerCase();
  if (s === 'um' || s === 'μm' || s === '微米') return 'μm';
  if (s === 'mm' || s === '毫米') return 'mm';
  if (CODES[s] && HARDNESS.has(CODES[s] as string)) return null;
  if (s === 'mpa') return 'MPa';
  if (s === 'gpa') return 'GPa';
  if (s === 'n') return 'N';
  return raw;
}

function normParam(raw: string): string {
  const code = CODES[raw.toLowerCase()];
  if (code) return code;
  return /[A-Za-z]/.test(raw) ? raw.toLowerCase() : raw;
}

function round6(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}

function build(
  param: string,
  opRaw: string | undefined,
  a: number,
  sep: string | undefined,
  b: number | undefined,
  unit: string | null,
  suffixOp: string | undefined,
): ParsedSpec[] | null {
  if (!Number.isFinite(a)) return null;
  if (sep !== undefined && b !== undefined && Number.isFinite(b)) {
    if (sep === '±' || sep === '+/-') {
      return [
        { param, op: '>=', value: round6(a - b), unit },
        { param, op: '<=', value: round6(a + b), unit },
      ];
    }
    if (b <= a) return null; // "3-5" must go up
    return [
      { param, op: '>=', value: a, unit },
      { param, op: '<=', value: b, unit },
    ];
  }
  const op = opRaw ? normOp(opRaw) : normOp(suffixOp);
  return [{ param, op, value: a, unit }];
}

export function findSpecs(text: string): SpecHit[] {
  const hits: SpecHit[] = [];
  const taken: Span[] = [];
  for (const m of text.matchAll(SCALE_AFTER_RE)) {
    const start = m.index;
    const end = start + m[0].length;
    const [, , opRaw, aRaw, sep, bRaw, scale] = m;
    const param = CODES[(scale as string).toLowerCase()] as string;
    const specs = build(
      param,
      opRaw,
      Number(aRaw),
      sep,
      bRaw === undefined ? undefined : Number(bRaw),
      null,
      undefined,
    );
    if (!specs) continue;
    hits.push({ start, end, specs });
    taken.push({ start, end });
  }
  for (const m of text.matchAll(PARAM_RE)) {
    if (taken.some((t) => m.index < t.end && m.index + m[0].length > t.start)) continue;
    const [, desc, paramRaw, opRaw, aRaw, sep, bRaw, unitRaw, suffixOp] = m;
    void desc; // "粗糙度Ra≤1.6": the code after the descriptor is the param
    const param = normParam(paramRaw as string);
    const specs = build(
      param,
      opRaw,
      Number(aRaw),
      sep,
      bRaw === undefined ? undefined : Number(bRaw),
      normUnit(unitRaw),
      suffixOp,
    );
    if (!specs) continue;
    hits.push({ start: m.index, end: m.index + m[0].length, specs });
  }
  hits.sort((a, b) => a.start - b.start);
  return hits;
}
