/** Area codes with two digits after the 0 (Beijing 010, 020-029); every other area code has three. */
const SHORT_AREA = /^0(?:10|2\d)/;

/**
 * A mainland phone number, normalised: a mobile (1[3-9] and 9 more digits, optionally after +86, 86
 * or 0086) as its 11 digits; a landline (area code 0xx or 0xxx, then 7 or 8 digits, with or without
 * a dash, spaces or brackets) as "0xxx-xxxxxxx", with an extension ("-12", "转12", "ext 12") kept as
 * "-12". Null when it is neither. Full-width digits are read as digits.
 */
export function normalizePhone(text: string): string | null {
  const s = text.normalize('NFKC').replace(/\s+/g, '').replace(/[()]/g, '-').replace(/^-+/, '');
  const mobile = /^(?:\+?86|0086)?-?(1[3-9]\d-?\d{4}-?\d{4})$/.exec(s);
  if (mobile) return mobile[1]!.replaceAll('-', '');
  const m = /^(?:(?:\+?86|0086)-?)?(0\d{2,3}-*\d{7,8}|0\d{9,11})(?:(?:-|转|ext\.?|x)(\d{1,6}))?$/i.exec(s);
  if (!m) return null;
  const digits = m[1]!.replace(/-/g, '');
  const areaLength = SHORT_AREA.test(digits) ? 3 : 4;
  const dash = m[1]!.indexOf('-');
  // A dash written after the area code must agree with it.
  if (dash >= 0 && dash !== areaLength) return null;
  const area = digits.slice(0, areaLength);
  const number = digits.slice(areaLength);
  if (!/^[2-9]\d{6,7}$/.test(number) || (areaLength === 3 && number.length !== 8)) return null;
  return `${area}-${number}${m[2] ? `-${m[2]}` : ''}`;
}

/** The first thing in a text that reads as a phone number: its position and normalised form. */
export function findPhone(text: string): { phone: string; start: number; end: number } | null {
  const candidate =
    /(?:\+?86|0086)?[-\s]?(?:1[3-9]\d[-\s]?\d{4}[-\s]?\d{4}|0\d{2,3}[-\s]?\d{7,8}(?:(?:-|转|ext\.?)\d{1,6})?)/gi;
  for (const match of text.matchAll(candidate)) {
    const start = match.index;
    const end = start + match[0].length;
    // Part of a longer run of digits (a waybill, an order number) is not a phone.
    if (/\d/.test(text[start - 1] ?? '') || /\d/.test(text[end] ?? '')) continue;
    const phone = normalizePhone(match[0]);
    if (phone) return { phone, start, end };
  }
  return null;
}
