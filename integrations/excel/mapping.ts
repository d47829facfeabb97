/**
 * Which column headers of an ERP export mean which field.
 *
 * The fields of each kind of export are fixed (they become typed rows); a plant's config may only
 * change which header names (aliases) point at them. Aliases are matched after removing all
 * whitespace, so "存货 编码" and "存货编码 " both match "存货编码"; a header may also carry a bracketed
 * suffix ("现存数量(主计量)", "提前期（天）").
 */
import { z } from 'zod';

export type ExportKind = 'stock' | 'materials';
export const EXPORT_KINDS: readonly ExportKind[] = ['stock', 'materials'];

/** How a cell is turned into a value. */
export type FieldType = 'code' | 'text' | 'quantity' | 'date';

export interface FieldDef {
  type: FieldType;
  /** The header must be present for the file to be recognised as this kind. */
  requiredColumn: boolean;
  /** A row whose cell is empty in this column is a row problem. */
  requiredValue: boolean;
}

export const STOCK_FIELDS = {
  materialCode: { type: 'code', requiredColumn: true, requiredValue: true },
  name: { type: 'text', requiredColumn: true, requiredValue: false },
  spec: { type: 'text', requiredColumn: false, requiredValue: false },
  unit: { type: 'text', requiredColumn: false, requiredValue: false },
  onHand: { type: 'quantity', requiredColumn: true, requiredValue: true },
  warehouse: { type: 'text', requiredColumn: false, requiredValue: false },
  lastInboundDate: { type: 'date', requiredColumn: false, requiredValue: false },
} as const satisfies Record<string, FieldDef>;

export const MATERIAL_FIELDS = {
  materialCode: { type: 'code', requiredColumn: true, requiredValue: true },
  name: { type: 'text', requiredColumn: true, requiredValue: false },
  spec: { type: 'text', requiredColumn: false, requiredValue: false },
  unit: { type: 'text', requiredColumn: false, requiredValue: false },
  line: { type: 'text', requiredColumn: false, requiredValue: false },
  mould: { type: 'text', requiredColumn: false, requiredValue: false },
  leadTimeDays: { type: 'quantity', requiredColumn: false, requiredValue: false },
} as const satisfies Record<string, FieldDef>;

export const FIELDS_BY_KIND = { stock: STOCK_FIELDS, materials: MATERIAL_FIELDS } as const;

export type StockField = keyof typeof STOCK_FIELDS;
export type MaterialField = keyof typeof MATERIAL_FIELDS;

const aliases = z.array(z.string().trim().min(1)).min(1);

export const StockMappingSchema = z.object({
  materialCode: aliases,
  name: aliases,
  spec: aliases,
  unit: aliases,
  onHand: aliases,
  warehouse: aliases,
  lastInboundDate: aliases,
}) satisfies z.ZodType<Record<StockField, string[]>>;

export const MaterialMappingSchema = z.object({
  materialCode: aliases,
  name: aliases,
  spec: aliases,
  unit: aliases,
  line: aliases,
  mould: aliases,
  leadTimeDays: aliases,
}) satisfies z.ZodType<Record<MaterialField, string[]>>;

/** Header aliases per field, in order of preference (the first alias found in a file wins). */
export const DEFAULT_COLUMN_MAPPING = {
  stock: {
    materialCode: ['存货编码', '物料编码', '存货代码'],
    name: ['存货名称', '物料名称'],
    spec: ['规格型号', '规格'],
    unit: ['主计量单位', '计量单位', '单位'],
    onHand: ['现存数量', '结存数量', '现存量', '库存数量'],
    warehouse: ['仓库名称', '仓库'],
    lastInboundDate: ['最后入库日期', '最近入库日期', '入库日期'],
  },
  materials: {
    materialCode: ['存货编码', '物料编码', '存货代码'],
    name: ['存货名称', '物料名称'],
    spec: ['规格型号', '规格'],
    unit: ['主计量单位', '计量单位', '单位'],
    line: ['生产线', '产线'],
    mould: ['模具号', '模具编号', '模具'],
    leadTimeDays: ['采购提前期', '提前期', '固定提前期'],
  },
} as const satisfies Record<ExportKind, Record<string, readonly string[]>>;

/**
 * A plant's mapping. Each kind may be given partially in config: missing fields fall back to the
 * default aliases, so a plant only lists what differs ("onHand: [期末数量]").
 */
export const ColumnMappingSchema = z
  .object({
    stock: StockMappingSchema.partial().default({}),
    materials: MaterialMappingSchema.partial().default({}),
  })
  .transform((m) => ({
    stock: { ...cloneAliases(DEFAULT_COLUMN_MAPPING.stock), ...m.stock },
    materials: { ...cloneAliases(DEFAULT_COLUMN_MAPPING.materials), ...m.materials },
  }));

export type ColumnMapping = z.output<typeof ColumnMappingSchema>;
export type ColumnMappingInput = z.input<typeof ColumnMappingSchema>;

/** The default mapping as a fresh, mutable object. */
export function defaultColumnMapping(): ColumnMapping {
  return ColumnMappingSchema.parse({});
}

function cloneAliases<T extends Record<string, readonly string[]>>(m: T): { [K in keyof T]: string[] } {
  return Object.fromEntries(Object.entries(m).map(([k, v]) => [k, [...v]])) as { [K in keyof T]: string[] };
}
