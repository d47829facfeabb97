import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEMO_CONFIG_PATH, loadBusinessConfig, parseBusinessConfig } from '../../config/business-config';

describe('business config', () => {
  it('loads the demo config with durations in milliseconds', () => {
    const config = loadBusinessConfig();
    expect(config.thresholds).toEqual({
      escalateAfter: 7_200_000,
      delayAlertAfter: 14_400_000,
      draftExpiresAfter: 1_800_000,
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
