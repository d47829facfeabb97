/**
 * The words around a customer's name in a sales message, for the customer recogniser
 * (domain/customers). It matches on text that is NFKC-normalised, lower case and without spaces,
 * so these patterns are written that way too.
 *
 * A Chinese name or alias of two characters is often a common word as well (大众 "the
 * public", 长城 "the Great Wall", 理想 "ideal", 小米 "millet"); it counts only where it stands apart:
 * each side is the start or end of the message, a space, punctuation, Latin letters, digits or a
 * code, or one of these words.
 */

/** Written right before a customer: "客户大众…", "给长城做…", "帮理想…", "跟大众说…", "这次大众要…". */
export const BEFORE_CUSTOMER_RE =
  /(?:客户|客戶|终端|给|帮|为|替|跟|和|与|及|同|是|找|催|问|对|向|让|请|还有|另外|这次|那次|今天|明天|昨天|刚才|刚刚)$/;

/**
 * Written right after a customer: "大众要…", "大众需要…", "大众那边…", "大众说…", "大众下单…",
 * "大众的BRK-…" (的 only before a code, Latin or digits, or an order word: "理想的交期" is not a
 * customer).
 */
export const AFTER_CUSTOMER_RE =
  /^(?:需要|要|想要|想|那边|这边|那里|这里|方面|公司|集团|采购|工厂|项目|说|讲|下单|订|催|问|反馈|也|又|还|再|都|和|跟|与|及|做|急|加急|这次|这批|那批|今天|明天|刚|已经|确认|回复|来|的(?:[\uE000-\uE0FF]|[a-z0-9]|订单|单子|货|样品|样件|那批|这批|需求|单|项目))/;

/**
 * A legal form at the end of a company's full name: "博世汽车部件（苏州）有限公司" is also found as
 * "博世汽车部件", "Bosch Ltd." as "bosch". Matched on the lower-case name without spaces, after the
 * parenthesised parts are removed.
 */
export const LEGAL_FORM_RE =
  /(?:股份有限公司|有限责任公司|有限公司|分公司|公司|co\.?,?ltd\.?|co\.?,?limited|ltd\.?|limited|gmbh|ag|inc\.?|corp\.?|corporation|llc|s\.a\.?)$/;
