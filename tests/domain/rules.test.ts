import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkAction, orderOutcome } from '../../domain/approval';
import { chinaDate, chinaTime, formatDuration } from '../../domain/china-time';
import { closestCodes } from '../../domain/material-match';
import { formatOrderNumber, orderNumberDay } from '../../domain/order-number';
import { checkSpec, type QualifiedRange, type Spec } from '../../domain/spec-check';

const KNOWN = ['BRK-2026-01', 'BRK-2026-02', 'BRK-2026-10', 'CAL-3310-A', 'PAD-7781'];

describe('closest material codes', () => {
  it('finds what a sales person meant', () => {
    expect(closestCodes('BRK-2026-1', KNOWN)[0]).toBe('BRK-2026-01');
    expect(closestCodes('BRK202601', KNOWN)[0]).toBe('BRK-2026-01');
    expect(closestCodes('CAL-3310', KNOWN)[0]).toBe('CAL-3310-A');
    expect(closestCodes('PAD-7718', KNOWN)[0]).toBe('PAD-7781');
    expect(closestCodes('XYZ-9999-99', KNOWN)).toEqual([]);
  });
  it('always ranks an exact code first', () => {
    fc.assert(fc.property(fc.constantFrom(...KNOWN), (code) => closestCodes(code, KNOWN)[0] === code));
  });
});

describe('spec check against qualified ranges', () => {
  const ra: QualifiedRange = { param: 'Ra', min: 0.4, max: 0.8, unit: 'μm' };
  const hrc: QualifiedRange = { param: 'HRC', min: 56, max: 62, unit: null };
  const spec = (param: string, op: Spec['op'], value: number, unit: string | null = null): Spec => ({
    param,
    op,
    value,
    unit,
  });

  it('qualifies a limit every past value met, and flags one we have never reached', () => {
    expect(checkSpec(spec('Ra', '<=', 0.8, 'μm'), [ra]).status).toBe('qualified');
    expect(checkSpec(spec('Ra', '<=', 0.4, 'μm'), [ra]).status).toBe('outside');
    expect(checkSpec(spec('ra', '<=', 1.6, 'μm'), [ra]).status).toBe('qualified');
    expect(checkSpec(spec('HRC', '>=', 56), [hrc]).status).toBe('qualified');
    expect(checkSpec(spec('HRC', '>=', 58), [hrc]).status).toBe('outside');
    expect(checkSpec(spec('Ra', '<=', 0.0008, 'mm'), [ra]).status).toBe('qualified');
    expect(checkSpec(spec('Rz', '<=', 3.2, 'μm'), [ra]).status).toBe('unknown');
  });
  it('never qualifies a tighter upper limit than a qualified one', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.01, max: 10, noNaN: true }),
        fc.double({ min: 0.01, max: 10, noNaN: true }),
        (a, b) => {
          const [loose, tight] = a >= b ? [a, b] : [b, a];
          const tightOk = checkSpec(spec('Ra', '<=', tight, 'μm'), [ra]).status === 'qualified';
          const looseOk = checkSpec(spec('Ra', '<=', loose, 'μm'), [ra]).status === 'qualified';
          return !tightOk || looseOk;
        },
      ),
    );
  });
});

describe('approval rules', () => {
  const statuses = fc.array(fc.constantFrom('pending', 'approved', 'rejected', 'cancelled' as const), {
    minLength: 1,
    maxLength: 5,
  });
  it('confirms only when all approved, rejects when any rejected', () => {
    fc.assert(
      fc.property(statuses, (s) => {
        const outcome = orderOutcome(s);
        if (s.includes('rejected')) return outcome === 'rejected';
        if (s.every((x) => x === 'approved')) return outcome === 'confirmed';
        return outcome === 'pending_approval';
      }),
    );
  });
  it('lets only an assignee act, once, and a reject needs a reason', () => {
    const task = { status: 'pending' as const, assignees: ['wanggong', 'liugong'], escalatedTo: null };
    expect(checkAction(task, 'wanggong', 'approve', undefined)).toEqual({ ok: true, status: 'approved' });
    expect(checkAction(task, 'chenjie', 'approve', undefined)).toEqual({ ok: false, reason: 'not-assignee' });
    expect(checkAction(task, 'liugong', 'reject', '  ')).toEqual({ ok: false, reason: 'needs-reason' });
    expect(checkAction(task, 'liugong', 'reject', '缺料')).toEqual({ ok: true, status: 'rejected' });
    expect(checkAction({ ...task, status: 'approved' }, 'liugong', 'approve', undefined)).toEqual({
      ok: false,
      reason: 'already-decided',
    });
    expect(checkAction({ ...task, escalatedTo: 'zhaozong' }, 'zhaozong', 'approve', undefined)).toEqual({
      ok: true,
      status: 'approved',
    });
    expect(checkAction(task, 'wanggong', 'delete', undefined)).toEqual({ ok: false, reason: 'unknown-action' });
  });
});

describe('China time and order numbers', () => {
  it('uses the China calendar date, not UTC', () => {
    const lateSunday = new Date('2026-03-01T23:30:00+08:00');
    expect(chinaDate(lateSunday)).toBe('2026-03-01');
    expect(chinaTime(lateSunday)).toBe('23:30');
    expect(orderNumberDay(new Date('2026-02-24T16:30:00Z'))).toBe('20260225');
    expect(formatOrderNumber('20260224', 1)).toBe('SO-20260224-0001');
    expect(formatOrderNumber('20260224', 12345)).toBe('SO-20260224-12345');
  });
  it('formats durations for people', () => {
    expect(formatDuration(2 * 3600_000 + 5 * 60_000)).toBe('2h05m');
    expect(formatDuration(35 * 60_000)).toBe('35m');
  });
});
