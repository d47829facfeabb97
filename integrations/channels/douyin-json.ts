/**
 * JSON as Douyin speaks it.
 *
 * - Ids are int64 on the wire in many places (a push's `p_id`, `coupon_id`, `campaign_id`, `shop_id`): numbers
 *   beyond 2^53 would lose digits in JSON.parse, so `parseLosslessJson` turns every integer literal that is not a
 *   safe integer into a string of its digits first (amounts in 分 never come near that size).
 * - `param_json` is serialized with keys sorted recursively and no HTML, slash or unicode escaping, as the
 *   official SDKs do (Go: encoding/json with SetEscapeHTML(false), which escapes only U+2028/U+2029).
 */

/** JSON.parse, except that integers outside the safe range come back as strings of their digits. */
export function parseLosslessJson(text: string): unknown {
  return JSON.parse(quoteBigIntegers(text));
}

function quoteBigIntegers(text: string): string {
  let out = '';
  let last = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // a string: skip to its closing quote
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i += 2;
        else if (d === 0x22) break;
        else i++;
      }
      i++;
      continue;
    }
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      const start = i;
      i++;
      while (i < n && /[0-9.eE+-]/.test(text[i]!)) i++;
      const token = text.slice(start, i);
      if (/^-?\d+$/.test(token) && !Number.isSafeInteger(Number(token))) {
        out += `${text.slice(last, start)}"${token}"`;
        last = i;
      }
      continue;
    }
    i++;
  }
  return last === 0 ? text : out + text.slice(last);
}

/** Keys sorted at every level, no HTML/slash/unicode escaping (U+2028/U+2029 escaped as Go does). */
export function sortedJson(value: unknown): string {
  return JSON.stringify(sortKeys(value))
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
    return sorted;
  }
  return value;
}

/**
 * Every scalar as a string, recursively: the gateway refuses typed values in param_json with 40003
 * isv.parameter-format-invalid ("所有参数需为string类型"). null and undefined members are left out.
 */
export function stringParams(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stringParams);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) if (v !== null && v !== undefined) out[key] = stringParams(v);
    return out;
  }
  return String(value);
}
