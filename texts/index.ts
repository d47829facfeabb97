import type { Catalogue, Lang } from './catalogue';
import { en } from './en';
import { zh } from './zh';

export type { Catalogue, Lang } from './catalogue';
export type { DelaySms, NextStep, StageRefusal } from './zh/lifecycle';
export type { ItemLine } from './zh/orders';

/**
 * What the product says, in one language: replies, cards, SMS, pages. Chinese unless the person wrote
 * in English (see writerLanguage in domain/parse); plant-facing cards are Chinese.
 */
export function texts(lang: Lang): Catalogue {
  return lang === 'en' ? en : zh;
}
