import type { Catalogue } from '../catalogue';
import { format } from './format';

const MISSING: Record<string, string> = {
  quantity: 'the quantity',
  dueDate: 'the due date',
  items: 'the material code',
};
const KIND = { sample: 'sample', batch: 'batch' } as const;

/** Chinese count units as an English reader writes them. */
const UNIT: Record<string, string> = { 件: 'pcs', 个: 'pcs', 只: 'pcs', 支: 'pcs', 片: 'pcs', 套: 'sets', 箱: 'boxes' };

export const orders: Catalogue['orders'] = {
  kind: (kind) => KIND[kind],

  itemLine: (item) => {
    const unit = UNIT[item.unit] ?? item.unit;
    const due = item.due ? ` · due ${format.date(item.due)}` : '';
    return `${item.materialCode} × ${item.quantity}${unit ? ` ${unit}` : ''} (${KIND[item.kind]})${due}`;
  },

  partialItems: (lines) => format.clauses(lines),

  created(a) {
    const date = format.date(a.requestedDate, a.today);
    return [
      `✅ Requirement order **${a.number}** created`,
      ...a.items.map((i) => `Item: ${orders.itemLine(i)}`),
      ...(a.customerName ? [`Customer: ${a.customerName}`] : []),
      `Requested date: ${date}${a.urgent ? ' (urgent)' : ''}`,
      ...(a.statedAt ? [`Customer asked: ${a.statedAt}`] : []),
      `Status: awaiting approval (${a.departments})`,
      ...a.warnings.map((w) => `⚠️ ${w}`),
    ].join('\n');
  },

  askMissing(missing, summary) {
    const wanted = missing.map((m) => MISSING[m] ?? m);
    const example = missing.includes('dueDate') ? '"by 3/5"' : '"5 pcs"';
    return `📝 Noted: ${summary}\nStill missing: ${wanted.join(' and ')}. Just reply (e.g. ${example}) within 30 minutes.`;
  },

  unknownCodes(unknown) {
    const lines = unknown.map(({ code, suggestions }) =>
      suggestions.length
        ? `Material code ${code} is not in the material master. Did you mean ${suggestions.join(', ')}?`
        : `Material code ${code} is not in the material master.`,
    );
    return `❓ ${lines.join('\n')}\nPlease resend with the right code; no order was created.`;
  },

  specOutside: (spec, material, range) =>
    `${spec} on ${material} is outside its qualified range (${range}); flagged to tech for review`,

  specUnknown: (spec, material) => `${material} has no qualified history for ${spec}; tech must confirm`,

  statedAt: (at, today) => format.timeOrDateTime(at, today),

  confirmed(a) {
    const date = format.date(a.promisedDate, a.today);
    const moved = a.movedFrom
      ? ` (requested ${format.date(a.movedFrom, a.today)}; stock or capacity was taken by another order meanwhile)`
      : '';
    return `🎉 Order **${a.number}** is confirmed: approved by ${a.approvals}.\nPromised date: ${date}${moved}`;
  },

  approvalBy: (department, person) => `${department} ${person}`,

  rejected: (a) => `❌ Order **${a.number}** was rejected by ${a.actor} (${a.department}).\nReason: ${a.reason}`,

  help: (botName) =>
    `Hi, I'm ${botName}. Send me a request such as:\n"BRK-2026-01 samples ×5 by 3/5"\nAsk for progress: "where is SO-20260224-0001"`,

  handlingError: 'Sorry, something went wrong handling that message. It has been logged; please try again shortly.',
};
