import { findPhone } from './phone';

/**
 * "采埃孚 联系人 周工 13800138003", "大陆集团 电话改为 13912345678", "ZF contact Zhou 13800138003",
 * "Conti phone 021-55556666": a customer's contact person and/or phone. `subject` is the text before
 * the keyword, where the customer is named; the handler finds the customer in it.
 */
export interface ContactCommand {
  subject: string;
  contactName: string | null;
  phone: string | null;
  /** Digits written as the phone that are no mainland mobile or landline number (the reply says so). */
  badPhone?: string;
}

const KEYWORD =
  /(联系人|联系电话|电话号码|电话|手机号码|手机号|手机|\bcontact(?:\s+person)?\b|\bphone(?:\s+number)?\b|\bmobile\b)/i;
/** Words between the keyword and the value: "改为", "换成", "是", "is", "now", ":", "=". */
const FILLER =
  /^[\s:：=,，]*(?:改为|改成|换成|换为|更新为|变更为|是|为|\bis\b|\bnow\b|\bchanged to\b|\bto\b)?[\s:：=,，]*/i;
/** A person's name as written after 联系人: Chinese (周工, 王经理), or Latin ("Zhou", "Mr Zhou"). */
const NAME = /^(?:[\p{Script=Han}]{1,6}|(?:mr\.?|ms\.?|mrs\.?)?\s*[A-Za-z][A-Za-z .'-]{0,30}?)(?=[\s,，、;；]|$)/iu;
const MENTION = /@\S+/g;
const MAX_SUBJECT = 30;

export function parseContactCommand(text: string): ContactCommand | null {
  const clean = text.replace(MENTION, ' ').trim();
  const keyword = KEYWORD.exec(clean);
  if (!keyword) return null;
  const subject = clean
    .slice(0, keyword.index)
    .replace(/[\s:：,，的']+$/u, '')
    .replace(/'s$/i, '')
    .trim();
  // The customer's name comes first, alone: a long lead-in is a sentence that mentions a phone, not this.
  if (!subject || subject.length > MAX_SUBJECT) return null;
  const after = clean.slice(keyword.index + keyword[0].length);
  const found = findPhone(after);
  const phone = found?.phone ?? null;
  const isContactWord = /联系人|contact/i.test(keyword[0]);
  const beforePhone = (found ? after.slice(0, found.start) : after).replace(FILLER, '');
  const name = isContactWord ? (NAME.exec(beforePhone.trim())?.[0]?.trim() ?? null) : null;
  const contactName = name && !/^(?:phone|mobile|电话|手机)$/i.test(name) ? name : null;
  const digits = phone ? null : /\+?\d[\d\s-]{4,}\d/.exec(after)?.[0];
  if (!phone && !contactName && !digits) return null;
  return { subject, contactName, phone, ...(digits ? { badPhone: digits.trim() } : {}) };
}
