import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCommand } from '../../bot/cli-parse';

/** `npm run -s orderbot -- …` in a child process (node with tsx's loader, without npx's own start-up). */
function cli(args: string[], input: string) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'bot/cli.ts', ...args], {
    input,
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The same command in this process (bot/cli.ts hands it stdin's lines): exit code and output. */
async function run(args: string[], input: string) {
  let stdout = '';
  let stderr = '';
  const io = {
    env: {},
    out: (text: string) => {
      stdout += text;
    },
    err: (text: string) => {
      stderr += text;
    },
  };
  const code = await parseCommand(args.slice(1), io, input.split('\n'));
  return { code, stdout, stderr };
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

  it('refuses a bad --now with a clear message', async () => {
    const { code, stderr } = await run(['parse', '--now', 'yesterday'], 'x');
    expect(code).toBe(2);
    expect(stderr).toContain('--now is not a valid time');
  });

  it('without --customers, has no customerMatches key (the contract is unchanged)', async () => {
    const { code, stdout } = await run(
      ['parse', '--now', '2026-02-24T10:00:00+08:00'],
      '客户：大陆集团 BRK-2026-01 5件',
    );
    expect(code).toBe(0);
    expect(stdout).toBe(
      '{"intent":"order","items":[{"sku":"BRK-2026-01","quantity":5,"unit":"件","kind":"batch"}],"dueDate":null,"urgent":false,"specs":[],"customer":"大陆集团","missing":["dueDate"]}\n',
    );
  });

  describe('--customers FILE', () => {
    const dir = mkdtempSync(join(tmpdir(), 'orderbot-parse-cli-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const file = (name: string, content: string | Buffer) => {
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    };
    const list = file(
      'customers.txt',
      '# name<TAB>aliases\n大陆集团\tContinental\t大陆\tConti\n\n博世\tBosch\t博世汽车\r\n采埃孚\tZF\n大众\tVW\n',
    );
    const now = ['--now', '2026-02-24T10:00:00+08:00'];

    it('names the one recognised customer, and lists every match right after customer', async () => {
      const input = [
        'Conti wants BRK-2026-01 x5',
        '给博世做BRK-2026-01 5件',
        'BRK-2026-01 x5 for ZF',
        '大陆和博世都要BRK-2026-01 5件',
        '客户：新能科技 BRK-2026-01 5件',
        '需要BRK-ZF-01样品5件',
        '大众化的方案',
        '客户：大陆集团 大众要BRK-2026-01 5件',
      ].join('\n');
      const { code, stdout, stderr } = await run(['parse', ...now, '--customers', list], input);
      expect(stderr).toBe('');
      expect(code).toBe(0);
      const lines = stdout.trim().split('\n');
      expect(lines[0]).toBe(
        '{"intent":"order","items":[{"sku":"BRK-2026-01","quantity":5,"unit":null,"kind":"batch"}],"dueDate":null,"urgent":false,"specs":[],"customer":"大陆集团","customerMatches":["大陆集团"],"missing":["dueDate"]}',
      );
      const rows = lines.map((l) => JSON.parse(l) as { customer: string | null; customerMatches: string[] });
      expect(rows.map((r) => [r.customer, r.customerMatches])).toEqual([
        ['大陆集团', ['大陆集团']],
        ['博世', ['博世']],
        ['采埃孚', ['采埃孚']],
        [null, ['大陆集团', '博世']],
        ['新能科技', []],
        [null, []],
        [null, []],
        ['大陆集团', ['大陆集团', '大众']],
      ]);
      for (const line of lines) {
        expect(Object.keys(JSON.parse(line))).toEqual([
          'intent',
          'items',
          'dueDate',
          'urgent',
          'specs',
          'customer',
          'customerMatches',
          'missing',
        ]);
      }
    });

    it('refuses a file it cannot read', async () => {
      const missing = await run(['parse', ...now, '--customers', join(dir, 'nope.txt')], 'x');
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('cannot read the --customers file');
      expect(missing.stderr).toContain('nope.txt');
      expect(missing.stdout).toBe('');

      const folder = await run(['parse', ...now, '--customers', dir], 'x');
      expect(folder.code).toBe(2);
      expect(folder.stderr).toContain('cannot read the --customers file');
    });

    it('refuses a file that is not UTF-8 text or has a line without a name', async () => {
      const binary = await run(
        ['parse', ...now, '--customers', file('latin1.txt', Buffer.from([0xb4, 0xf3, 0xc2, 0xbd, 0x0a]))],
        'x',
      );
      expect(binary.code).toBe(2);
      expect(binary.stderr).toContain('is not UTF-8');

      const noName = await run(['parse', ...now, '--customers', file('tabs.txt', '博世\n\tConti\n')], 'x');
      expect(noName.code).toBe(2);
      expect(noName.stderr).toContain('line 2: no customer name');
    });
  });

  it('refuses an unknown command', () => {
    const { code, stderr } = cli(['frobnicate'], '');
    expect(code).toBe(2);
    expect(stderr).toContain('unknown command "frobnicate"');
  });
});
