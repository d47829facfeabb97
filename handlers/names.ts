import { type BusinessConfig, departmentName, personName } from '../config/business-config';
import { type Lang, texts } from '../texts';

/**
 * The language of what plant staff read (approval, stage and expedite cards, notices on their taps):
 * approvers are in the plant and read Chinese, whatever language the sales person writes in.
 */
export const PLANT_LANG: Lang = 'zh';

/** The language of what the ops conversation reads: the weekly digest, plant-data problems. */
export const OPS_LANG: Lang = 'zh';

/** The language of customers' SMS: the templates registered with the SMS provider are Chinese. */
export const CUSTOMER_LANG: Lang = 'zh';

/** "技术部、采购部" / "Engineering, Purchasing". */
export function departmentList(config: BusinessConfig, keys: readonly string[], lang: Lang): string {
  return texts(lang).format.list(keys.map((k) => departmentName(config, k, lang)));
}

/** "王工、刘工" / "王工, 刘工". */
export function personList(config: BusinessConfig, ids: readonly string[], lang: Lang): string {
  return texts(lang).format.list(ids.map((id) => personName(config, id)));
}
