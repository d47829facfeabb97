import { MOULD_END_UNKNOWN } from '../../domain/promise';
import type { Catalogue } from '../catalogue';
import { format } from './format';

export const promise: Catalogue['promise'] = {
  constraint(c, today) {
    const d = (date: string) => format.date(date, today);
    switch (c.kind) {
      case 'stock':
        return `${c.available} in stock, ${c.needed} needed`;
      case 'line-load':
        return `line ${c.line} is ${Math.round(c.load * 100)}% loaded until ${d(c.until)}`;
      case 'line-capacity':
        return `line ${c.line} free capacity from ${d(c.freeFrom)}, done ${d(c.finish)}`;
      case 'mould':
        return c.availableFrom === MOULD_END_UNKNOWN
          ? `mould ${c.mould} in repair, no end date yet`
          : `mould ${c.mould} in repair until ${d(c.availableFrom)}`;
      case 'purchase-lead':
        return `purchase lead time ${c.days} days, material from ${d(c.readyFrom)}`;
      case 'transit':
        return `${c.days} days in transit`;
      case 'calendar':
        return `holidays (${c.holidays.map(d).join(', ')})`;
    }
  },

  card: {
    earliest: 'Earliest',
    basis: 'Based on',
    fromStock: 'from stock',
    lineLoad: (line) => `Line ${line} load`,
    lineLoadValue: (load, until, today) => `${Math.round(load * 100)}% (until ${format.date(until, today)})`,
  },

  blocked(a) {
    const requested = format.date(a.requested, a.today);
    if (a.earliest === null) {
      return `⛔ ${requested} is not possible: no capacity within the planning horizon${a.reasons ? ` — ${a.reasons}` : ''}. You can escalate to tech.`;
    }
    const earliest = format.date(a.earliest, a.today);
    return `⛔ ${requested} is not possible: earliest ${earliest} — ${a.reasons || 'capacity is taken'}\nTap the card, or reply "offer" / "escalate".`;
  },

  splitHint: (split) => `Or split the delivery: ${split} (tap "Split delivery" or reply "split").`,

  blockedCard: {
    title: 'Date not possible',
    item: 'Item',
    requested: 'Requested',
    earliest: 'Earliest',
    why: 'Why',
    escalate: 'Escalate to tech for an expedite',
    offer: (date) => `Offer ${date}`,
    split: 'Split delivery',
    escalated: (department, leads) => `Sent to ${department} (${leads}) for an expedite`,
    ordered: (number) => `Ordered at the earliest date · ${number}`,
  },

  choiceTaken: 'This request has been dealt with already.',
  onlyRequester: (name) => `Only ${name}, who made the request, can choose.`,
  alreadyEscalated: 'An expedite was asked for already; please wait for tech to answer.',
  planChanged: 'The plan changed and no date is available now; try again or escalate to tech.',
  escalatedToTech: (department, leads) => `Escalated to ${department} (${leads}); the answer will be posted here.`,
  expediteRefused: (who, reason) => `${who}: no expedite (${reason}). You can still take the earliest date.`,
  expediteNotEnough: (who, earliest) =>
    `${who} granted an expedite, but the earliest is still ${earliest}. You can take that date.`,

  expediteCard: {
    title: (department) => `Expedite request · ${department}`,
    subtitle: (sales) => `${sales} asks for an expedite`,
    constraint: 'Constraint',
    source: (text) => `Request: ${text}`,
    explain:
      'Granting it re-checks the date as an expedite (lines may be loaded to the full, purchase lead times cut).',
    approve: 'Grant expedite',
    reject: 'No expedite',
    approvedBy: (who, time) => `Expedite granted · ${who} ${time}`,
    rejectedBy: (who, time, reason) => `No expedite · ${who} ${time}: ${reason}`,
  },
  notExpediter: (department) => `You do not decide expedites for ${department}; nothing was changed.`,
  expediteDecided: 'This expedite request has been dealt with already.',
  expediteNeedsReason: 'Refusing an expedite needs a reason; write it, then tap again.',
};
