import type { LinePart, PlantChangeCause } from '../../domain/repromise/types';
import { MOULD_END_UNKNOWN } from '../../domain/promise';
import type { Catalogue } from '../catalogue';
import { format } from './format';

export const repromise: Catalogue['repromise'] = {
  cause(c: PlantChangeCause, today: string): string {
    switch (c.kind) {
      case 'mould':
        if (c.status === 'ok') return `mould ${c.mould} changed`;
        return c.availableFrom === null || c.availableFrom === MOULD_END_UNKNOWN
          ? `mould ${c.mould} in ${c.status}, back date unknown`
          : `mould ${c.mould} in ${c.status}, back ${format.date(c.availableFrom, today)}`;
      case 'line-load':
        return `line ${c.line} load changed`;
      case 'stock':
        return `stock of ${c.materials.slice(0, 3).join(', ')}${c.materials.length > 3 ? ' and more' : ''} went down`;
      case 'calendar':
        return `plant closed on ${c.holidays.map((d) => format.date(d, today)).join(', ')}`;
    }
  },

  card: {
    title: '⚠️ Promise no longer holds',
    summaryTitle: (n: number): string => `⚠️ ${n} orders' promises no longer hold`,
    order: 'Order',
    cause: 'Cause',
    promised: 'Promised',
    earliest: 'Earliest now',
    split: 'Split',
    noDate: 'not within the planning horizon',
    splitValue: (a) => `${a.now} by ${a.promised}, the rest (${a.rest}) on ${a.restDate}`,
    summaryValue: (a) => `promised ${a.promised} → earliest ${a.earliest}${a.split ? ' (can split)' : ''}`,
    expedite: 'Keep promise, ask for expedite',
    move: (date: string): string => `Move to ${date}`,
    splitButton: 'Split delivery',
    moveAll: 'Move all to earliest',
    allDecided: 'All decided',
    notTold: 'The customer has not been told: moving or splitting sends them an SMS.',
    typed: (number: string, split: boolean): string =>
      split
        ? `Or reply "${number} move", "${number} expedite" or "${number} split"`
        : `Or reply "${number} move" or "${number} expedite"`,
    typedMany: 'Per order, reply "<order> move", "<order> expedite" or "<order> split"',
    outcome: {
      open: 'to decide',
      moved: (date: string): string => `moved to ${date}`,
      split: (number: string): string => `split (the rest is ${number})`,
      kept: 'kept with expedite',
      superseded: 'superseded by a newer change',
    },
  },

  parts: (parts: Array<LinePart & { materialCode: string; unit: string }>): string =>
    parts.map((p) => `${p.materialCode} ${p.quantity}${p.unit ? ` ${p.unit}` : ''}`).join(', '),

  moved: (a) =>
    `✅ ${a.number} now promised for ${a.to} (was ${a.from}).${a.customer ? ' The customer gets an SMS.' : ''}`,
  split: (a) =>
    `✅ ${a.number} split: ${a.now} by the promised ${a.promised}; the rest (${a.rest}) is ${a.child}, on ${a.restDate}.`,
  delivery: (a: { number: string; parts: string; date: string }): string =>
    `📦 Delivered separately: ${a.number} (${a.parts}), promised for ${a.date}, tracked on its own.`,
  splitGone: (number: string, earliest: string): string =>
    `The plan for ${number} changed and a split no longer works: all of it by ${earliest} at the earliest. Move it or ask for an expedite.`,
  expediteAsked: (number: string, department: string, leads: string): string =>
    `Asked ${department} (${leads}) to expedite ${number}; the promise stands until they answer.`,
  expediteKept: (number: string, who: string, promised: string): string =>
    `✅ ${who} approved the expedite: ${number} keeps its promise of ${promised}.`,
  expediteShort: (number: string, who: string, earliest: string): string =>
    `${who} approved the expedite, but ${number} can be delivered ${earliest} at the earliest, still after the promise. Move it or split it.`,
  expediteRefused: (number: string, who: string, reason: string): string =>
    `${who} did not approve expediting ${number}: ${reason}. Move it or split it.`,
  nothingOpen: (number: string): string => `${number} has no promise change to decide.`,
  noEarliest: (number: string): string =>
    `${number} cannot be planned within the horizon, so there is no date to move it to: ask for an expedite, or talk to the customer.`,
  notYours: (number: string, requester: string): string => `${requester}, who placed ${number}, decides its promise.`,
  expediteCard: {
    title: (department: string): string => `${department}: expedite a confirmed order`,
    subtitle: (sales: string): string => `${sales} asks to keep the promise`,
    order: 'Order',
    explain: 'Approving lets production plan past the line load (confirmed orders keep what they hold).',
  },
};
