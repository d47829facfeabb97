import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

function cli(args: string[], input: string) {
  const result = spawnSync('npx', ['tsx', 'bot/cli.ts', ...args], { input, encoding: 'utf8', timeout: 30_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('orderbot parse (CLI)', () => {
  it('prints one JSON object per input line, with exactly the contract fields', () => {
    const input = ['需要BRK-2026-01样品5件,3月5日前到', '', 'BRK-2026-01 5件', 'BRK-2026-22 到哪了？'].join('\n');
    const { code, stdout } = cli(['parse', '--now', '2026-02-24T10:00:00+08:00'], input);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe(
      '{"intent":"order","items":[{"sku":"BRK-2026-01","quantity":5,"unit":"件","kind":"sample"}],"dueDate":"2026-03-05","urgent":false,"specs":[],"customer":null,"missing":[]}',
    );
    expect(JSON.parse(lines[1]!)).toMatchObject({ intent: 'order', dueDate: null, missing: ['dueDate'] });
    expect(JSON.parse(lines[2]!)).toMatchObject({ intent: 'status', items: [] });
  });

  it('refuses a bad --now with a clear message', () => {
    const { code, stderr } = cli(['parse', '--now', 'yesterday'], 'x');
    expect(code).toBe(2);
    expect(stderr).toContain('--now is not a valid time');
  });

  it('refuses an unknown command', () => {
    const { code, stderr } = cli(['frobnicate'], '');
    expect(code).toBe(2);
    expect(stderr).toContain('unknown command "frobnicate"');
  });
});
