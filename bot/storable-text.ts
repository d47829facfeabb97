import type { InboundEvent } from '../core/events';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** PostgreSQL text and jsonb hold neither NUL nor half a surrogate pair: a chat message may carry both. */
export function storableText(text: string): string {
  return text.replaceAll('\u0000', '').replace(LONE_SURROGATE, '\uFFFD');
}

export function storableEvent<E extends InboundEvent>(event: E): E {
  const clean = Object.entries(event).map(([key, value]) => [
    key,
    typeof value === 'string' ? storableText(value) : value,
  ]);
  return Object.fromEntries(clean) as E;
}
