import type { Card } from '../cards/model';
import { rejectReasonsOf } from '../config/business-config';
import type { HandlerContext } from '../core/context';
import { texts } from '../texts';
import { PLANT_LANG } from './names';

/** Approve, or reject with a reason from the department's list: the buttons of every expedite card. */
export function expediteChoices(ctx: HandlerContext, department: string): Pick<Card, 'buttons' | 'reasons'> {
  const t = texts(PLANT_LANG);
  const c = t.promise.expediteCard;
  return {
    buttons: [
      { key: 'approve', label: c.approve, style: 'primary' },
      { key: 'reject', label: c.reject, style: 'danger', needsReason: true },
    ],
    reasons: {
      title: t.approvals.card.reasonsTitle,
      options: rejectReasonsOf(ctx.config, department).map(({ id, text }) => ({ id, text })),
    },
  };
}
