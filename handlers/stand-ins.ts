import type { BusinessConfig } from '../config/business-config';
import type { HandlerContext } from '../core/context';
import { chinaDate } from '../domain/china-time';
import { type StandInPeriod, standInsOn } from '../db/stand-ins';

/** Who may hold a department's approval step: its leads, its director, its members and the escalation ladder. */
export function stepHoldersAllowed(config: BusinessConfig, departmentKey: string): string[] {
  const department = config.departments.find((d) => d.key === departmentKey);
  if (!department) return [];
  const ladder = config.escalationLadder.map((s) => s.to);
  return [...new Set([...department.leads, department.director, ...department.members, ...ladder])];
}

/** Stand-ins further than this are not followed (A for B for C…): a loop of periods must not hang a card. */
const MAX_HOPS = 5;

/** Who acts for whom today: a person on leave → their stand-in, following a stand-in who is away too. */
export interface StandInRouter {
  /** The person who holds a step meant for `personId` today (the person, when not away). */
  holderFor(personId: string): string;
  /** Whether `personId` is away today with someone standing in. */
  isAway(personId: string): boolean;
}

/**
 * Today's stand-ins: the config's approvals.standIns and the periods set from the chat; where both name a
 * stand-in for the same person, the chat's latest wins (it is the newer word).
 */
export async function standInRouter(ctx: HandlerContext, periods?: StandInPeriod[]): Promise<StandInRouter> {
  const today = chinaDate(ctx.now);
  const direct = new Map<string, string>();
  for (const entry of ctx.config.approvals.standIns) {
    if (entry.from <= today && today <= entry.until) direct.set(entry.person, entry.standIn);
  }
  const fromChat = periods ?? (await standInsOn(ctx.tx, today));
  // Latest first: the first period read for a person is theirs.
  const seen = new Set<string>();
  for (const period of fromChat) {
    if (seen.has(period.personId)) continue;
    seen.add(period.personId);
    direct.set(period.personId, period.standInId);
  }
  return {
    holderFor(personId) {
      let holder = personId;
      const visited = new Set([holder]);
      for (let hop = 0; hop < MAX_HOPS; hop++) {
        const next = direct.get(holder);
        if (!next || visited.has(next)) break;
        visited.add(next);
        holder = next;
      }
      return holder;
    },
    isAway: (personId) => direct.has(personId),
  };
}
