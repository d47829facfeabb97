import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  DEMO_CONFIG_PATH,
  loadBusinessConfig,
  parseBusinessConfig,
  rejectReasonsOf,
  reminderPointsOf,
} from '../../config/business-config';

describe('business config', () => {
  it('loads the demo config with durations in milliseconds', () => {
    const config = loadBusinessConfig();
    expect(config.thresholds).toEqual({
      escalateAfter: 7_200_000,
      delayAlertAfter: 14_400_000,
      draftExpiresAfter: 1_800_000,
      duplicateWindow: 14 * 86_400_000,
    });
    expect(config.routing.sample).toEqual(['tech', 'purchasing', 'production']);
    expect(config.departments.find((d) => d.key === 'tech')?.leads).toEqual(['wanggong', 'liugong']);
  });

  it('names the offending field of a bad file', () => {
    const demo = readFileSync(DEMO_CONFIG_PATH, 'utf8');
    expect(() => parseBusinessConfig(demo.replace('escalateAfter: 2h', 'escalateAfter: soon'))).toThrow(
      /thresholds\.escalateAfter: not a duration: "soon"/,
    );
    expect(() => parseBusinessConfig(demo.replace('director: zhaozong', 'director: nobody'))).toThrow(
      /departments\.0\.director: unknown person "nobody"/,
    );
    expect(() => parseBusinessConfig(demo.replace('sample: [tech,', 'sample: [qa,'))).toThrow(
      /routing\.sample\.0: unknown department "qa"/,
    );
    expect(() =>
      parseBusinessConfig(
        demo.replace('in_production: { department: production', 'in_production: { department: plant'),
      ),
    ).toThrow(/lifecycle\.stages\.in_production\.department: unknown department "plant"/);
    expect(() => parseBusinessConfig(demo.replace('trackEvery: 30m', 'trackEvery: 10m'))).toThrow(
      /lifecycle\.trackEvery: must be at least 30m/,
    );
    expect(() => parseBusinessConfig(demo.replace("deliverBy: '18:00'", "deliverBy: '6pm'"))).toThrow(
      /lifecycle\.deliverBy: write a time of day as HH:mm/,
    );
    expect(() => parseBusinessConfig('company: [')).toThrow(/not valid YAML/);
    expect(() =>
      parseBusinessConfig(demo.replace('{ after: 4h, to: zhouzong }', '{ after: 1h, to: zhouzong }')),
    ).toThrow(/escalationLadder\.0\.after: must be later than the step before/);
    expect(() =>
      parseBusinessConfig(demo.replace('director: sunzong', 'director: sunzong\n    approvalGroup: nowhere')),
    ).toThrow(/departments\.2\.approvalGroup: unknown conversation "nowhere"/);
    expect(() => parseBusinessConfig(demo.replace('wecom: LiSi', 'wecom: ZhangSan'))).toThrow(
      /people\.1\.wecom: "ZhangSan" is used by another person too/,
    );
  });
});

describe('approvals over time', () => {
  const demo = readFileSync(DEMO_CONFIG_PATH, 'utf8');

  it('default to working time, reminders at 50% and 15m, 催办 every 30m and no stand-ins when a config (an older one) says nothing', () => {
    const older = parseBusinessConfig(demo.replace(/\napprovals:\n(?: {2}.*\n)+/, '\n'));
    expect(older.approvals).toEqual({ reminders: ['50%', '15m'], nudgeInterval: 1_800_000, standIns: [] });
    expect(reminderPointsOf(older)).toEqual([{ share: 0.5 }, { before: 900_000 }]);
    expect(older.departments.map((d) => d.clock)).toEqual(['working', 'working', 'working', 'working', 'working']);
    expect(older.departments[0]!.members).toEqual([]);
  });

  it('names a bad reminder point, an unknown stand-in or member, and a period that ends before it starts', () => {
    expect(() => parseBusinessConfig(demo.replace("reminders: ['50%', '15m']", "reminders: ['150%']"))).toThrow(
      /approvals\.reminders\.0: not a reminder point/,
    );
    expect(() =>
      parseBusinessConfig(
        demo.replace(
          'standIns: []',
          'standIns: [{ person: wanggong, standIn: nobody, from: 2026-12-05, until: 2026-12-09 }]',
        ),
      ),
    ).toThrow(/approvals\.standIns\.0\.standIn: unknown person "nobody"/);
    expect(() =>
      parseBusinessConfig(
        demo.replace(
          'standIns: []',
          'standIns: [{ person: wanggong, standIn: liugong, from: 2026-12-09, until: 2026-12-05 }]',
        ),
      ),
    ).toThrow(/approvals\.standIns\.0\.until: ends before it starts/);
    expect(() =>
      parseBusinessConfig(demo.replace('director: zhaozong', 'director: zhaozong\n    members: [ghost]')),
    ).toThrow(/departments\.0\.members\.0: unknown person "ghost"/);
    const wall = parseBusinessConfig(demo.replace('director: sunzong', 'director: sunzong\n    clock: wall'));
    expect(wall.departments[2]!.clock).toBe('wall');
  });
});

describe('reject reasons', () => {
  const demo = readFileSync(DEMO_CONFIG_PATH, 'utf8');
  const withoutReasons = demo.replace(/\nrejectReasons:\n(?: {2}- .*\n)+/, '\n');

  it('default to the five a plant starts with when a config (an older one) lists none', () => {
    expect(withoutReasons).not.toMatch(/^rejectReasons:/m);
    const config = parseBusinessConfig(withoutReasons);
    expect(config.rejectReasons.map((r) => r.id)).toEqual(['date', 'material', 'capacity', 'spec', 'other']);
    expect(rejectReasonsOf(config, 'tech')).toBe(config.rejectReasons);
  });

  it('may be a department’s own', () => {
    const own = demo.replace(
      '    leads: [chenjie]\n',
      '    leads: [chenjie]\n    rejectReasons: [{ id: supplier, text: 供应商无法供货, textEn: No supplier can deliver }]\n',
    );
    const config = parseBusinessConfig(own);
    expect(rejectReasonsOf(config, 'purchasing')).toEqual([
      { id: 'supplier', text: '供应商无法供货', textEn: 'No supplier can deliver' },
    ]);
    expect(rejectReasonsOf(config, 'tech').map((r) => r.id)).toContain('capacity');
  });

  it('refuses an id twice, an id WeCom cannot carry, or more than a card can list', () => {
    expect(() => parseBusinessConfig(demo.replace('{ id: capacity,', '{ id: date,'))).toThrow(
      /rejectReasons\.2\.id: "date" is listed twice/,
    );
    expect(() => parseBusinessConfig(demo.replace('{ id: capacity,', '{ id: 产能,'))).toThrow(/rejectReasons\.2\.id/);
    const eleven = Array.from({ length: 11 }, (_, i) => `  - { id: r${i}, text: 原因${i} }`).join('\n');
    expect(() => parseBusinessConfig(`${withoutReasons}\nrejectReasons:\n${eleven}\n`)).toThrow(/at most 10 reasons/);
  });
});
