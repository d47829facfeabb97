/**
 * Writing a plant's master data from an import: customers, materials, qualified ranges, inspection
 * reports, stock on hand and open supply, as typed records (one per file row, with its row number).
 *
 * Every record is checked first (repeats within the file, limits, materials that must exist, aliases
 * that would name two customers); with any problem nothing is written. Otherwise the records are
 * compared with what is stored and only the new and the changed rows are written, so importing the
 * same file twice touches nothing the second time. An empty cell (null) leaves the stored value as
 * it is, except in a range, whose row is the whole range (an empty limit is "no limit").
 */
import { inArray, sql } from 'drizzle-orm';
import type { Tx } from './client';
import { customers, inspectionReports, materials, openSupply, qualifiedRanges, stock } from './schema';

export type MasterDataKind = 'customers' | 'materials' | 'ranges' | 'inspections' | 'stock' | 'supply';

export interface CustomerRecord {
  row: number;
  name: string;
  aliases: string[] | null;
  contactName: string | null;
  /** Normalised already (11 digits, or "0xxx-xxxxxxx"). */
  contactPhone: string | null;
  address: string | null;
  /** The customer's code in the ERP (客户编码), trimmed, at most 64 characters. */
  erpCode: string | null;
}

export interface MaterialRecord {
  row: number;
  materialCode: string;
  name: string | null;
  spec: string | null;
  unit: string | null;
  line: string | null;
  mould: string | null;
  leadTimeDays: number | null;
}

export interface RangeRecord {
  row: number;
  materialCode: string;
  param: string;
  minValue: number | null;
  maxValue: number | null;
  unit: string | null;
}

export interface InspectionRecord {
  row: number;
  reportNo: string;
  materialCode: string;
  /** YYYY-MM-DD. */
  inspectedOn: string;
  passed: boolean;
  summary: string | null;
  results: Record<string, number>;
}

export interface StockRecord {
  row: number;
  materialCode: string;
  onHand: number;
}

export interface SupplyRecord {
  row: number;
  materialCode: string;
  /** Still to come; ≥ 0. */
  quantity: number;
  /** YYYY-MM-DD. */
  dueDate: string;
  reference: string | null;
}

export type MasterData =
  | { kind: 'customers'; rows: CustomerRecord[] }
  | { kind: 'materials'; rows: MaterialRecord[] }
  | { kind: 'ranges'; rows: RangeRecord[] }
  | { kind: 'inspections'; rows: InspectionRecord[] }
  | { kind: 'stock'; rows: StockRecord[] }
  /** `feed`: the open_supply.source whose rows the file replaces (see planSupply). */
  | { kind: 'supply'; feed: string; rows: SupplyRecord[] };

/** A record that cannot be imported: its row, the field (a key of the record) and why. */
export interface RecordProblem {
  row: number;
  field: string;
  reason: string;
}

export interface MasterDataOutcome {
  added: number;
  changed: number;
  unchanged: number;
  /** Sorted by row; when there are any, nothing was written. */
  problems: RecordProblem[];
  written: boolean;
}

export interface WriteOptions {
  now: Date;
  /** Where stock counts came from (stock.source), e.g. "import:stock.xlsx". */
  source: string;
  /** Check and count only. */
  dryRun?: boolean;
}

/** Checks the records against each other and the database, then writes the new and changed ones. */
export async function writeMasterData(tx: Tx, data: MasterData, options: WriteOptions): Promise<MasterDataOutcome> {
  const plan = await planOf(tx, data);
  const problems = plan.problems.sort((a, b) => a.row - b.row);
  const counts = { added: plan.added.length, changed: plan.changed.length, unchanged: plan.unchanged };
  if (problems.length > 0) return { added: 0, changed: 0, unchanged: 0, problems, written: false };
  if (options.dryRun || counts.added + counts.changed === 0) return { ...counts, problems, written: false };
  await plan.write(options);
  return { ...counts, problems, written: true };
}

interface Plan {
  added: unknown[];
  changed: unknown[];
  unchanged: number;
  problems: RecordProblem[];
  write(options: WriteOptions): Promise<void>;
}

function planOf(tx: Tx, data: MasterData): Promise<Plan> {
  switch (data.kind) {
    case 'customers':
      return planCustomers(tx, data.rows);
    case 'materials':
      return planMaterials(tx, data.rows);
    case 'ranges':
      return planRanges(tx, data.rows);
    case 'inspections':
      return planInspections(tx, data.rows);
    case 'stock':
      return planStock(tx, data.rows);
    case 'supply':
      return planSupply(tx, data.feed, data.rows);
  }
}

/** A JSON array of the values, for `in (select jsonb_array_elements_text(…))`: one parameter however many. */
const jsonList = (values: Iterable<string>) =>
  sql`(select jsonb_array_elements_text(${JSON.stringify([...values])}::jsonb))`;
/** Rows as one jsonb parameter, for `jsonb_to_recordset`; `ord` keeps the file's order. */
const jsonRows = (rows: object[]) => JSON.stringify(rows.map((r, ord) => ({ ...r, ord })));

/** Later rows repeating an earlier row's key are problems. */
function repeats<T extends { row: number }>(
  records: T[],
  key: (r: T) => string,
  field: string,
  what: (r: T) => string,
): { unique: T[]; problems: RecordProblem[] } {
  const first = new Map<string, number>();
  const unique: T[] = [];
  const problems: RecordProblem[] = [];
  for (const r of records) {
    const k = key(r);
    const earlier = first.get(k);
    if (earlier !== undefined) problems.push({ row: r.row, field, reason: `${what(r)} is already on row ${earlier}` });
    else {
      first.set(k, r.row);
      unique.push(r);
    }
  }
  return { unique, problems };
}

async function knownMaterials(tx: Tx, codes: Iterable<string>): Promise<Set<string>> {
  const rows = await tx
    .select({ code: materials.code })
    .from(materials)
    .where(sql`${materials.code} in ${jsonList(new Set(codes))}`);
  return new Set(rows.map((r) => r.code));
}

function unknownMaterialProblems(records: Array<{ row: number; materialCode: string }>, known: Set<string>) {
  return records
    .filter((r) => !known.has(r.materialCode))
    .map((r) => ({
      row: r.row,
      field: 'materialCode',
      reason: `material "${r.materialCode}" is not in the material master (import it with the materials first)`,
    }));
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

function sameResults(a: Record<string, number>, b: Record<string, number>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => k in b && a[k] === b[k]);
}

// ---- customers -------------------------------------------------------------------------------------

async function planCustomers(tx: Tx, records: CustomerRecord[]): Promise<Plan> {
  const { unique, problems } = repeats(
    records,
    (r) => r.name.toLowerCase(),
    'name',
    (r) => `customer "${r.name}"`,
  );
  const stored = await tx.select().from(customers);
  const byName = new Map(stored.map((c) => [c.name, c]));
  type Row = Omit<CustomerRecord, 'row' | 'aliases'> & { aliases: string[] };
  const added: Row[] = [];
  const changed: Row[] = [];
  let unchanged = 0;
  // Every customer's name and aliases once the file is in; `given`: those the file's row wrote.
  const finals = new Map<string, { row: number | null; keys: CustomerKey[]; given: CustomerKey[] }>();
  for (const c of stored) {
    finals.set(c.name, { row: null, keys: keysOf(c.name, c.aliases), given: [] });
  }
  for (const r of unique) {
    const old = byName.get(r.name);
    const aliases = (r.aliases ?? old?.aliases ?? []).filter((a) => a.toLowerCase() !== r.name.toLowerCase());
    const next: Row = {
      name: r.name,
      aliases,
      contactName: r.contactName ?? old?.contactName ?? null,
      contactPhone: r.contactPhone ?? old?.contactPhone ?? null,
      address: r.address ?? old?.address ?? null,
      erpCode: r.erpCode ?? old?.erpCode ?? null,
    };
    finals.set(r.name, { row: r.row, keys: keysOf(r.name, aliases), given: keysOf(r.name, r.aliases ? aliases : []) });
    if (!old) added.push(next);
    else if (
      !sameList(old.aliases, next.aliases) ||
      old.contactName !== next.contactName ||
      old.contactPhone !== next.contactPhone ||
      old.address !== next.address ||
      old.erpCode !== next.erpCode
    ) {
      changed.push(next);
    } else unchanged++;
  }
  // A name or alias must point at one customer only, or a message naming it could mean either.
  const owners = new Map<string, string[]>();
  for (const [name, f] of finals) {
    for (const { key } of f.keys) owners.set(key, [...(owners.get(key) ?? []), name]);
  }
  for (const [name, f] of finals) {
    if (f.row === null) continue;
    for (const { key, field, text } of f.given) {
      const others = owners.get(key)!.filter((o) => o !== name);
      if (others.length === 0) continue;
      const what = field === 'name' ? `the name "${text}"` : `the alias "${text}"`;
      problems.push({
        row: f.row,
        field,
        reason: `${what} is also the name or an alias of ${others.map((o) => `"${o}"`).join(', ')}`,
      });
    }
  }
  return {
    added,
    changed,
    unchanged,
    problems,
    async write({ now }) {
      const cols = sql`v(name text, aliases text[], contact_name text, contact_phone text, address text, erp_code text, ord int)`;
      const json = (rows: Row[]) =>
        jsonRows(
          rows.map((r) => ({
            name: r.name,
            aliases: r.aliases,
            contact_name: r.contactName,
            contact_phone: r.contactPhone,
            address: r.address,
            erp_code: r.erpCode,
          })),
        );
      if (added.length > 0) {
        await tx.execute(sql`
          insert into ${customers} (name, aliases, contact_name, contact_phone, address, erp_code, updated_at)
          select v.name, v.aliases, v.contact_name, v.contact_phone, v.address, v.erp_code, ${now.toISOString()}::timestamptz
          from jsonb_to_recordset(${json(added)}::jsonb) as ${cols} order by v.ord`);
      }
      if (changed.length > 0) {
        await tx.execute(sql`
          update ${customers} c set aliases = v.aliases, contact_name = v.contact_name,
            contact_phone = v.contact_phone, address = v.address, erp_code = v.erp_code, updated_at = ${now.toISOString()}::timestamptz
          from jsonb_to_recordset(${json(changed)}::jsonb) as ${cols} where c.name = v.name`);
      }
    },
  };
}

interface CustomerKey {
  /** Lower case: customers are found by name or alias whatever the case. */
  key: string;
  field: 'name' | 'aliases';
  text: string;
}

/** The name and aliases a customer is found by. */
function keysOf(name: string, aliases: readonly string[]): CustomerKey[] {
  return [
    { key: name.toLowerCase(), field: 'name', text: name },
    ...aliases.map((a) => ({ key: a.toLowerCase(), field: 'aliases' as const, text: a })),
  ];
}

// ---- materials -------------------------------------------------------------------------------------

async function planMaterials(tx: Tx, records: MaterialRecord[]): Promise<Plan> {
  const { unique, problems } = repeats(
    records,
    (r) => r.materialCode,
    'materialCode',
    (r) => `material "${r.materialCode}"`,
  );
  const stored = await tx
    .select()
    .from(materials)
    .where(sql`${materials.code} in ${jsonList(unique.map((r) => r.materialCode))}`);
  const byCode = new Map(stored.map((m) => [m.code, m]));
  type Row = typeof materials.$inferSelect;
  const added: Row[] = [];
  const changed: Row[] = [];
  let unchanged = 0;
  const defaultUnit = String(materials.unit.default);
  for (const r of unique) {
    const old = byCode.get(r.materialCode);
    const name = r.name ?? old?.name;
    if (name === undefined) {
      problems.push({ row: r.row, field: 'name', reason: 'is empty; a new material needs a name' });
      continue;
    }
    const next: Row = {
      code: r.materialCode,
      name,
      spec: r.spec ?? old?.spec ?? null,
      unit: r.unit ?? old?.unit ?? defaultUnit,
      line: r.line ?? old?.line ?? null,
      mould: r.mould ?? old?.mould ?? null,
      leadTimeDays: r.leadTimeDays ?? old?.leadTimeDays ?? 0,
    };
    if (!old) added.push(next);
    else if (
      old.name !== next.name ||
      old.spec !== next.spec ||
      old.unit !== next.unit ||
      old.line !== next.line ||
      old.mould !== next.mould ||
      old.leadTimeDays !== next.leadTimeDays
    ) {
      changed.push(next);
    } else unchanged++;
  }
  return {
    added,
    changed,
    unchanged,
    problems,
    async write() {
      const cols = sql`v(code text, name text, spec text, unit text, line text, mould text, lead_time_days int, ord int)`;
      const json = (rows: Row[]) =>
        jsonRows(
          rows.map((r) => ({
            code: r.code,
            name: r.name,
            spec: r.spec,
            unit: r.unit,
            line: r.line,
            mould: r.mould,
            lead_time_days: r.leadTimeDays,
          })),
        );
      if (added.length > 0) {
        await tx.execute(sql`
          insert into ${materials} (code, name, spec, unit, line, mould, lead_time_days)
          select v.code, v.name, v.spec, v.unit, v.line, v.mould, v.lead_time_days
          from jsonb_to_recordset(${json(added)}::jsonb) as ${cols} order by v.ord`);
      }
      if (changed.length > 0) {
        await tx.execute(sql`
          update ${materials} m set name = v.name, spec = v.spec, unit = v.unit, line = v.line, mould = v.mould,
            lead_time_days = v.lead_time_days
          from jsonb_to_recordset(${json(changed)}::jsonb) as ${cols} where m.code = v.code`);
      }
    },
  };
}

// ---- qualified ranges ------------------------------------------------------------------------------

async function planRanges(tx: Tx, records: RangeRecord[]): Promise<Plan> {
  const { unique, problems } = repeats(
    records,
    (r) => `${r.materialCode}\u0000${r.param.toLowerCase()}`,
    'param',
    (r) => `the range of ${r.param} for ${r.materialCode}`,
  );
  const known = await knownMaterials(
    tx,
    unique.map((r) => r.materialCode),
  );
  problems.push(...unknownMaterialProblems(unique, known));
  const stored = await tx
    .select()
    .from(qualifiedRanges)
    .where(sql`${qualifiedRanges.materialCode} in ${jsonList(known)}`);
  const byKey = new Map(stored.map((q) => [`${q.materialCode}\u0000${q.param.toLowerCase()}`, q]));
  type Row = typeof qualifiedRanges.$inferSelect;
  const added: Row[] = [];
  const changed: Row[] = [];
  let unchanged = 0;
  for (const r of unique) {
    if (r.minValue === null && r.maxValue === null) {
      problems.push({ row: r.row, field: 'minValue', reason: 'is empty, and so is the upper limit: give one or both' });
      continue;
    }
    if (r.minValue !== null && r.maxValue !== null && r.minValue > r.maxValue) {
      problems.push({ row: r.row, field: 'maxValue', reason: `${r.maxValue} is below the lower limit ${r.minValue}` });
      continue;
    }
    if (!known.has(r.materialCode)) continue;
    const old = byKey.get(`${r.materialCode}\u0000${r.param.toLowerCase()}`);
    // A parameter stored as "Ra" keeps that spelling when a file writes "RA".
    const next: Row = {
      materialCode: r.materialCode,
      param: old?.param ?? r.param,
      minValue: r.minValue,
      maxValue: r.maxValue,
      unit: r.unit,
    };
    if (!old) added.push(next);
    else if (old.minValue !== next.minValue || old.maxValue !== next.maxValue || old.unit !== next.unit) {
      changed.push(next);
    } else unchanged++;
  }
  return {
    added,
    changed,
    unchanged,
    problems,
    async write() {
      const cols = sql`v(material_code text, param text, min_value float8, max_value float8, unit text, ord int)`;
      const json = (rows: Row[]) =>
        jsonRows(
          rows.map((r) => ({
            material_code: r.materialCode,
            param: r.param,
            min_value: r.minValue,
            max_value: r.maxValue,
            unit: r.unit,
          })),
        );
      if (added.length > 0) {
        await tx.execute(sql`
          insert into ${qualifiedRanges} (material_code, param, min_value, max_value, unit)
          select v.material_code, v.param, v.min_value, v.max_value, v.unit
          from jsonb_to_recordset(${json(added)}::jsonb) as ${cols} order by v.ord`);
      }
      if (changed.length > 0) {
        await tx.execute(sql`
          update ${qualifiedRanges} q set min_value = v.min_value, max_value = v.max_value, unit = v.unit
          from jsonb_to_recordset(${json(changed)}::jsonb) as ${cols}
          where q.material_code = v.material_code and q.param = v.param`);
      }
    },
  };
}

// ---- inspection reports ----------------------------------------------------------------------------

async function planInspections(tx: Tx, records: InspectionRecord[]): Promise<Plan> {
  const { unique, problems } = repeats(
    records,
    (r) => r.reportNo,
    'reportNo',
    (r) => `report "${r.reportNo}"`,
  );
  const known = await knownMaterials(
    tx,
    unique.map((r) => r.materialCode),
  );
  problems.push(...unknownMaterialProblems(unique, known));
  const stored = await tx
    .select()
    .from(inspectionReports)
    .where(sql`${inspectionReports.reportNo} in ${jsonList(unique.map((r) => r.reportNo))}`);
  const byNo = new Map(stored.map((s) => [s.reportNo, s]));
  type Row = Omit<typeof inspectionReports.$inferSelect, 'id'>;
  const added: Row[] = [];
  const changed: Row[] = [];
  let unchanged = 0;
  for (const r of unique) {
    if (!known.has(r.materialCode)) continue;
    const old = byNo.get(r.reportNo);
    const next: Row = {
      reportNo: r.reportNo,
      materialCode: r.materialCode,
      inspectedOn: r.inspectedOn,
      passed: r.passed,
      results: r.results,
      summary: r.summary ?? old?.summary ?? null,
    };
    if (!old) added.push(next);
    else if (
      old.materialCode !== next.materialCode ||
      old.inspectedOn !== next.inspectedOn ||
      old.passed !== next.passed ||
      old.summary !== next.summary ||
      !sameResults(old.results, next.results)
    ) {
      changed.push(next);
    } else unchanged++;
  }
  return {
    added,
    changed,
    unchanged,
    problems,
    async write() {
      const cols = sql`v(report_no text, material_code text, inspected_on date, passed boolean, results jsonb, summary text, ord int)`;
      const json = (rows: Row[]) =>
        jsonRows(
          rows.map((r) => ({
            report_no: r.reportNo,
            material_code: r.materialCode,
            inspected_on: r.inspectedOn,
            passed: r.passed,
            results: r.results,
            summary: r.summary,
          })),
        );
      for (const batch of chunks(added, 5000)) {
        await tx.execute(sql`
          insert into ${inspectionReports} (report_no, material_code, inspected_on, passed, results, summary)
          select v.report_no, v.material_code, v.inspected_on, v.passed, v.results, v.summary
          from jsonb_to_recordset(${json(batch)}::jsonb) as ${cols} order by v.ord`);
      }
      for (const batch of chunks(changed, 5000)) {
        await tx.execute(sql`
          update ${inspectionReports} r set material_code = v.material_code, inspected_on = v.inspected_on,
            passed = v.passed, results = v.results, summary = v.summary
          from jsonb_to_recordset(${json(batch)}::jsonb) as ${cols} where r.report_no = v.report_no`);
      }
    },
  };
}

// ---- stock -----------------------------------------------------------------------------------------

/** Stock on hand per material; the rows of one code (several warehouses) are summed, then rounded. */
async function planStock(tx: Tx, records: StockRecord[]): Promise<Plan> {
  const known = await knownMaterials(
    tx,
    records.map((r) => r.materialCode),
  );
  const problems = unknownMaterialProblems(records, known);
  const totals = new Map<string, number>();
  for (const r of records) {
    if (known.has(r.materialCode)) totals.set(r.materialCode, (totals.get(r.materialCode) ?? 0) + r.onHand);
  }
  const stored = await tx
    .select()
    .from(stock)
    .where(sql`${stock.materialCode} in ${jsonList(totals.keys())}`);
  const byCode = new Map(stored.map((s) => [s.materialCode, s]));
  const added: Array<{ materialCode: string; onHand: number }> = [];
  const changed: typeof added = [];
  let unchanged = 0;
  for (const [materialCode, total] of totals) {
    const onHand = Math.round(total);
    const old = byCode.get(materialCode);
    if (!old) added.push({ materialCode, onHand });
    else if (old.onHand !== onHand) changed.push({ materialCode, onHand });
    else unchanged++;
  }
  return {
    added,
    changed,
    unchanged,
    problems,
    async write({ now, source }) {
      const rows = [...added, ...changed];
      const json = jsonRows(rows.map((r) => ({ material_code: r.materialCode, on_hand: r.onHand })));
      await tx.execute(sql`
        insert into ${stock} (material_code, on_hand, source, updated_at)
        select v.material_code, v.on_hand, ${source}::text, ${now.toISOString()}::timestamptz
        from jsonb_to_recordset(${json}::jsonb) as v(material_code text, on_hand int, ord int) order by v.ord
        on conflict (material_code) do update
          set on_hand = excluded.on_hand, source = excluded.source, updated_at = excluded.updated_at`);
    },
  };
}

// ---- open supply -----------------------------------------------------------------------------------

/**
 * Open supply is a snapshot: the file's rows replace the stored rows of its feed (open_supply.source). Rows of one
 * material, order number and due date are summed, then rounded; a total of 0 (received in full) is not stored.
 * Counts are per (material, order number, due date): added, changed (a new quantity, or no longer in the file, i.e.
 * received or cancelled), unchanged (not written, so its updated_at stays).
 */
async function planSupply(tx: Tx, feed: string, records: SupplyRecord[]): Promise<Plan> {
  const known = await knownMaterials(
    tx,
    records.map((r) => r.materialCode),
  );
  const problems = unknownMaterialProblems(records, known);
  const keyOf = (r: { materialCode: string; reference: string | null; dueDate: string }) =>
    JSON.stringify([r.materialCode, r.reference, r.dueDate]);
  const totals = new Map<string, { materialCode: string; reference: string | null; dueDate: string; sum: number }>();
  for (const r of records) {
    if (!known.has(r.materialCode)) continue;
    const key = keyOf(r);
    const held = totals.get(key);
    if (held) held.sum += r.quantity;
    else totals.set(key, { materialCode: r.materialCode, reference: r.reference, dueDate: r.dueDate, sum: r.quantity });
  }
  const stored = await tx.select().from(openSupply).where(sql`${openSupply.source} = ${feed}`);
  const storedByKey = new Map<string, { ids: number[]; quantity: number }>();
  for (const s of stored) {
    const key = keyOf(s);
    const held = storedByKey.get(key);
    if (held) {
      held.ids.push(s.id);
      held.quantity += s.quantity;
    } else storedByKey.set(key, { ids: [s.id], quantity: s.quantity });
  }
  type Line = { materialCode: string; reference: string | null; dueDate: string; quantity: number };
  const added: Line[] = [];
  const changed: Line[] = [];
  const removedIds: number[] = [];
  let unchanged = 0;
  for (const [key, t] of totals) {
    const quantity = Math.round(t.sum);
    const old = storedByKey.get(key);
    const line = { materialCode: t.materialCode, reference: t.reference, dueDate: t.dueDate, quantity };
    if (!old) {
      if (quantity > 0) added.push(line);
    } else if (old.quantity !== quantity || old.ids.length > 1) {
      changed.push(line);
      removedIds.push(...old.ids);
    } else unchanged++;
  }
  const gone: Line[] = [];
  for (const [key, old] of storedByKey) {
    if (totals.has(key)) continue;
    const [materialCode, reference, dueDate] = JSON.parse(key) as [string, string | null, string];
    gone.push({ materialCode, reference, dueDate, quantity: 0 });
    removedIds.push(...old.ids);
  }
  return {
    added,
    changed: [...changed, ...gone],
    unchanged,
    problems,
    async write({ now }) {
      for (const ids of chunks(removedIds, 1000)) await tx.delete(openSupply).where(inArray(openSupply.id, ids));
      const rows = [...added, ...changed].filter((l) => l.quantity > 0);
      for (const part of chunks(rows, 1000)) {
        await tx.insert(openSupply).values(part.map((l) => ({ ...l, source: feed, updatedAt: now })));
      }
    },
  };
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
