/**
 * npm run bench -- imports: master-data imports at a real plant's size. Generates a fixture set into a
 * temp folder (customers.xlsx: 300 customers with aliases; materials.xlsx: 5,000 codes; ranges.xlsx:
 * 3 parameters of each; inspections.xlsx: 20,000 QC rows with a column per parameter; stock.xlsx:
 * 5,000 counts in two warehouses), then times each import (read, check, write) into an empty database
 * and once more (all unchanged), on the embedded PGlite in a data directory (what a plant runs) and on
 * PostgreSQL when BENCH_DATABASE_URL (or TEST_DATABASE_URL) is set. Target: each import under 10 s.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import * as XLSX from '@e965/xlsx';
import { type DatabaseHandle, openDatabase } from '../../db/client';
import { migrate } from '../../db/migrate';
import { defaultColumnMapping } from '../../integrations/excel/mapping';
import { type ImportKind, importFile, importSummary, readImportFile } from '../../integrations/import/import-file';
import { createTestDatabase } from '../support/databases';

const KINDS: ImportKind[] = ['customers', 'materials', 'ranges', 'inspections', 'stock'];
const TARGET_MS = 10_000;

/** A deterministic generator, so every run imports the same files. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CITIES = ['宁波', '苏州', '杭州', '无锡', '常州', '台州', '温州', '佛山', '东莞', '天津', '青岛', '重庆'];
const TRADES = ['汽车零部件', '精密机械', '制动系统', '五金制品', '机电设备', '模具', '新能源科技', '工业自动化'];
const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴'];
const PARTS = ['制动钳支架', '卡钳壳体', '刹车片', '制动盘', '轮毂轴承座', '转向节', '控制臂', '减震器支架'];

export function writeFixtures(dir: string, sizes = { customers: 300, materials: 5_000, inspections: 20_000 }) {
  const r = rng(15);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const save = (name: string, rows: unknown[][]) => {
    const wb = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet(rows), 'Sheet1');
    writeFileSync(join(dir, name), XLSX.write(wb, { type: 'buffer', bookType: 'xlsx' }) as Buffer);
  };

  const customers: unknown[][] = [['客户名称', '简称', '联系人', '电话', '地址']];
  for (let i = 1; i <= sizes.customers; i++) {
    const city = pick(CITIES);
    const brand = `${city}${String.fromCharCode(0x4e00 + ((i * 7919) % 20000))}${String.fromCharCode(0x4e00 + ((i * 104729) % 20000))}`;
    const phone =
      r() < 0.7
        ? `1${3 + Math.floor(r() * 7)}${String(Math.floor(r() * 1e9)).padStart(9, '0')}`
        : `0${571 + (i % 20)}-${2 + Math.floor(r() * 7)}${String(Math.floor(r() * 1e7)).padStart(7, '0')}`;
    customers.push([
      `${brand}${pick(TRADES)}有限公司`,
      [brand, `${brand}${i}`, `C${String(i).padStart(4, '0')}`].join('、'),
      `${pick(SURNAMES)}经理`,
      phone,
      `${city}市经济技术开发区${1 + (i % 300)}号`,
    ]);
  }
  save('customers.xlsx', customers);

  const codes = Array.from({ length: sizes.materials }, (_, i) => `MAT-${String(100001 + i)}`);
  const materials: unknown[][] = [['存货编码', '存货名称', '规格型号', '计量单位', '生产线', '模具号', '提前期(天)']];
  codes.forEach((code, i) => {
    materials.push([code, `${pick(PARTS)} ${i}`, `SPEC-${i % 97}`, '件', 'ABCDEFGH'[i % 8], `M-${i % 60}`, i % 15]);
  });
  save('materials.xlsx', materials);

  const ranges: unknown[][] = [['物料编码', '参数', '下限', '上限', '单位']];
  for (const code of codes) {
    ranges.push([code, 'Ra', 0.4, 1.6, 'μm'], [code, 'HRC', 45, 62, null], [code, '平面度', 0.01, 0.05, 'mm']);
  }
  save('ranges.xlsx', ranges);

  const inspections: unknown[][] = [
    ['检验记录'],
    [
      '报告编号',
      '物料编码',
      '物料名称',
      '检验日期',
      '结果',
      '检验员',
      '备注',
      'Ra(μm)',
      'HRC',
      '平面度(mm)',
      '跳动(mm)',
    ],
  ];
  const start = Date.UTC(2023, 0, 1);
  for (let i = 1; i <= sizes.inspections; i++) {
    const day = new Date(start + Math.floor((i / sizes.inspections) * 1095) * 86_400_000).toISOString().slice(0, 10);
    const passed = r() > 0.04;
    inspections.push([
      `QC-${day.replaceAll('-', '').slice(2)}-${String(i).padStart(5, '0')}`,
      codes[Math.floor(r() * codes.length)],
      null,
      day,
      passed ? '合格' : '不合格',
      `${pick(SURNAMES)}工`,
      passed ? null : '复检',
      Number((0.4 + r() * 1.2).toFixed(2)),
      Number((50 + r() * 10).toFixed(1)),
      r() < 0.7 ? Number((0.01 + r() * 0.04).toFixed(3)) : null,
      r() < 0.3 ? Number((0.01 + r() * 0.02).toFixed(3)) : null,
    ]);
  }
  save('inspections.xlsx', inspections);

  const stock: unknown[][] = [['仓库', '存货编码', '存货名称', '现存数量']];
  codes.forEach((code, i) => {
    stock.push(['成品库', code, null, Math.floor(r() * 5000)]);
    if (i % 3 === 0) stock.push(['半成品库', code, null, Math.floor(r() * 500)]);
  });
  save('stock.xlsx', stock);
}

const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function benchOn(label: string, open: () => Promise<DatabaseHandle>, dir: string): Promise<boolean> {
  const database = await open();
  let ok = true;
  try {
    await migrate(database.db);
    const mapping = defaultColumnMapping();
    for (const kind of KINDS) {
      const file = { name: `${kind}.xlsx`, bytes: readFileSync(join(dir, `${kind}.xlsx`)) };
      const t0 = performance.now();
      const read = readImportFile(file, mapping, kind);
      const readMs = performance.now() - t0;
      const times: number[] = [];
      const summaries: string[] = [];
      for (let pass = 0; pass < 2; pass++) {
        const t = performance.now();
        const outcome = await importFile({ db: database.db, file, mapping, kind, options: { now: new Date() } });
        times.push(performance.now() - t);
        summaries.push(importSummary(outcome));
        if (outcome.errors.length > 0) throw new Error(`${kind}: ${outcome.errors[0]!.message}`);
      }
      const rows = read.ok ? read.data.rows.length : 0;
      const within = times.every((t) => t < TARGET_MS);
      ok &&= within;
      console.log(
        `imports on ${label}: ${kind} (${rows.toLocaleString('en-US')} rows, ${Math.ceil(file.bytes.length / 1024)} KB xlsx): ` +
          `${fmt(times[0]!)} into an empty table (reading alone ${fmt(readMs)}), ${fmt(times[1]!)} again (all unchanged)` +
          `${within ? '' : `  ✗ over ${TARGET_MS / 1000} s`}`,
      );
      console.log(`    ${summaries.join(' | ')}`);
    }
  } finally {
    await database.close();
  }
  return ok;
}

export async function benchImports(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'orderbot-import-bench-'));
  const dataDir = mkdtempSync(join(tmpdir(), 'orderbot-import-bench-db-'));
  try {
    const t0 = performance.now();
    writeFixtures(dir);
    const sizes = KINDS.map((k) => `${k}.xlsx ${Math.ceil(statSync(join(dir, `${k}.xlsx`)).size / 1024)} KB`);
    console.log(`fixtures generated in ${fmt(performance.now() - t0)}: ${sizes.join(', ')}`);
    let ok = await benchOn('PGlite (data directory)', () => openDatabase({ dataDir }), dir);
    const pgUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
    if (pgUrl) {
      process.env.TEST_DATABASE_URL = pgUrl;
      ok = (await benchOn('PostgreSQL', () => createTestDatabase('postgres'), dir)) && ok;
    } else {
      console.log('(set BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test to also measure PostgreSQL)');
    }
    if (!ok) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  }
}
