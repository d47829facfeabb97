import { isNotNull } from 'drizzle-orm';
import { chinaDate, formatDate } from '../domain/china-time';
import type { MouldCommand } from '../domain/mould-command';
import type { Queryable } from '../db/client';
import { materials, moulds } from '../db/schema';
import { replyToMessage, type HandlerContext } from '../core/context';
import type { MessageEvent } from '../core/events';

type Lang = 'zh' | 'en';

/** The department whose leads and director may change a mould's state. */
const PRODUCTION = 'production';

/**
 * A production lead's (or the production director's) report of a mould's state, typed in chat when
 * there is no MES: "#3模具 维修 至 3/2", "M-12 恢复使用". Anyone else is refused; an unknown mould is
 * answered with the known ones. Known moulds are those in the `moulds` table or named by a material.
 * A repair/maintenance with no date is stored with availableFrom null: out of service, end unknown.
 */
export async function handleMouldCommand(
  event: MessageEvent,
  command: MouldCommand,
  ctx: HandlerContext,
): Promise<void> {
  const lang: Lang = /[\p{Script=Han}]/u.test(event.text) ? 'zh' : 'en';
  const production = ctx.config.departments.find((d) => d.key === PRODUCTION);
  const allowed =
    production !== undefined && (production.leads.includes(event.senderId) || production.director === event.senderId);
  if (!allowed) {
    ctx.log.info({ senderId: event.senderId, mould: command.mould }, 'mould update refused: not production');
    return replyToMessage(ctx, event, texts.refused(lang));
  }

  const known = await knownMoulds(ctx.tx);
  if (!known.includes(command.mould)) return replyToMessage(ctx, event, texts.unknown(command.mould, known, lang));

  const availableFrom = command.status === 'ok' ? null : command.availableFrom;
  const values = { status: command.status, availableFrom, updatedAt: ctx.now, updatedBy: event.senderId };
  await ctx.tx
    .insert(moulds)
    .values({ id: command.mould, ...values })
    .onConflictDoUpdate({ target: moulds.id, set: values });
  ctx.log.info(
    { mould: command.mould, status: command.status, availableFrom, by: event.senderId },
    'mould updated from chat',
  );
  await replyToMessage(ctx, event, texts.updated({ ...command, availableFrom }, lang, chinaDate(ctx.now)));
}

/** Ids in the moulds table plus those materials name, in natural order (M-3 before M-12). */
export async function knownMoulds(q: Queryable): Promise<string[]> {
  const [rows, named] = await Promise.all([
    q.select({ id: moulds.id }).from(moulds),
    q.selectDistinct({ id: materials.mould }).from(materials).where(isNotNull(materials.mould)),
  ]);
  const ids = new Set([...rows.map((r) => r.id), ...named.map((r) => r.id).filter((id): id is string => id !== null)]);
  return [...ids].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

export const texts = {
  refused: (lang: Lang) =>
    lang === 'zh'
      ? '只有生产部主管或生产总监可以更新模具状态。'
      : 'Only production leads or the production director can update a mould.',

  unknown: (mould: string, known: string[], lang: Lang) => {
    if (lang === 'zh')
      return known.length > 0
        ? `没有模具${mould}。已知模具：${known.join('、')}`
        : `没有模具${mould}，系统里还没有任何模具。`;
    return known.length > 0
      ? `There is no mould ${mould}. Known moulds: ${known.join(', ')}`
      : `There is no mould ${mould}; no moulds are set up yet.`;
  },

  updated: (command: MouldCommand, lang: Lang, today: string) => {
    const { mould, status, availableFrom } = command;
    if (lang === 'zh') {
      if (status === 'ok') return `已更新：模具${mould} 恢复使用`;
      const word = status === 'repair' ? '维修' : '保养';
      return availableFrom
        ? `已更新：模具${mould} ${word}至${formatDate(availableFrom, 'zh', today)}`
        : `已更新：模具${mould} ${word}中，结束日期未定（知道后请发：${mould} ${word}至3/2）`;
    }
    if (status === 'ok') return `Updated: mould ${mould} back in service`;
    const word = status === 'repair' ? 'in repair' : 'under maintenance';
    return availableFrom
      ? `Updated: mould ${mould} ${word} until ${formatDate(availableFrom, 'en', today)}`
      : `Updated: mould ${mould} ${word}, end date unknown (when known, send: mould ${mould} ${word} until 3/2)`;
  },
};
