import type { ChannelOrder } from './order';

/**
 * The seller's outer SKU codes of an order mapped to our material codes: an alias the plant configured first,
 * else the material code written the same way up to letter case, else the outer code unchanged (a rule scoped
 * on it still matches; reconciliation does not need the material).
 */
export function mapOuterSkus(
  order: ChannelOrder,
  aliases: Readonly<Record<string, string>>,
  materialCodes: ReadonlyMap<string, string>,
): ChannelOrder {
  let changed = false;
  const lines = order.lines.map((line) => {
    const sku = mapSku(line.sku, aliases, materialCodes);
    if (sku === line.sku) return line;
    changed = true;
    return { ...line, sku };
  });
  return changed ? { ...order, lines } : order;
}

/** `materialCodes` is keyed by the upper-case code. */
export function mapSku(
  outer: string,
  aliases: Readonly<Record<string, string>>,
  materialCodes: ReadonlyMap<string, string>,
): string {
  const trimmed = outer.trim();
  if (Object.hasOwn(aliases, trimmed)) return aliases[trimmed]!;
  return materialCodes.get(trimmed.toUpperCase()) ?? trimmed;
}
