import { isNotNull } from 'drizzle-orm';
import { chinaDate } from '../domain/china-time';
import { writerLanguage } from '../domain/parse';
import { texts } from '../texts';
import type { MouldCommand } from '../domain/mould-command';
import type { Queryable } from '../db/client';
import { recordPlantChange } from '../db/repromise';
import { materials, moulds } from '../db/schema';
import { replyToMessage, type HandlerContext } from '../core/context';
import type { MessageEvent } from '../core/events';

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
  const t = texts(writerLanguage(event.text)).plant;
  const production = ctx.config.departments.find((d) => d.key === PRODUCTION);
  const allowed =
    production !== undefined && (production.leads.includes(event.senderId) || production.director === event.senderId);
  if (!allowed) {
    ctx.log.info({ senderId: event.senderId, mould: command.mould }, 'mould update refused: not production');
    return replyToMessage(ctx, event, t.mouldRefused);
  }

  const known = await knownMoulds(ctx.tx);
  if (!known.includes(command.mould)) return replyToMessage(ctx, event, t.unknownMould(command.mould, known));

  const availableFrom = command.status === 'ok' ? null : command.availableFrom;
  const values = { status: command.status, availableFrom, updatedAt: ctx.now, updatedBy: event.senderId };
  await ctx.tx
    .insert(moulds)
    .values({ id: command.mould, ...values })
    .onConflictDoUpdate({ target: moulds.id, set: values });
  if (command.status !== 'ok') {
    await recordPlantChange(ctx.tx, ctx.now, {
      kind: 'mould',
      cause: { kind: 'mould', mould: command.mould, status: command.status, availableFrom },
      source: 'chat',
    });
  }
  ctx.log.info(
    { mould: command.mould, status: command.status, availableFrom, by: event.senderId },
    'mould updated from chat',
  );
  await replyToMessage(ctx, event, t.mouldUpdated({ ...command, availableFrom, today: chinaDate(ctx.now) }));
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
