import type { zh } from './zh';

/**
 * Everything the product says, by message id. The Chinese catalogue defines the ids and what each
 * message is given; the English one must have every id with the same inputs, or the type check fails.
 */
export type Catalogue = typeof zh;
export type Lang = 'zh' | 'en';
