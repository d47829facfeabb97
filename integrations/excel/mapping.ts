/**
 * Which column headers of an export mean which field.
 *
 * The fields of each kind of file are fixed (they become typed rows); a plant's config may only
 * change which header names (aliases) point at them. Aliases are matched after removing all
 * whitespace and case, so "存货 编码", "存货编码 " and "Material Code" all match their alias; a header
 * may also carry a bracketed suffix ("现存数量(主计量)", "提前期（天）", "Lead time (days)").
 *
 * The kinds: `stock`, `materials` and `supply` (what an accountant exports from U8 / Kingdee: stock on hand, the
 * material master, open purchase and production orders not yet received) and `customers`, `ranges` and
 * `inspections` (the customer list and QC's own spreadsheets). An inspections sheet has
 * one column per measured parameter besides its fixed fields: every header that is neither a field
 * nor one of `inspectionOtherColumns` (name, inspector, batch … ) is a parameter.
 */
import { z } from 'zod';

export type ExportKind = 'stock' | 'materials' | 'customers' | 'ranges' | 'inspections' | 'supply';
/** Every kind, in the order files are imported (a file may refer to what an earlier kind brings). */
export const EXPORT_KINDS: readonly ExportKind[] = [
  'customers',
  'materials',
  'ranges',
  'inspections',
  'stock',
  'supply',
];

/** How a cell is turned into a value. */
export type FieldType = 'code' | 'text' | 'quantity' | 'date' | 'flag' | 'list' | 'phone';

export interface FieldDef {
  type: FieldType;
  /** The header must be present for the file to be recognised as this kind. */
  requiredColumn: boolean;
  /** A row whose cell is empty in this column is a row problem. */
  requiredValue: boolean;
  /** Longer text is a row problem. */
  maxLength?: number;
}

export const STOCK_FIELDS = {
  materialCode: { type: 'code', requiredColumn: true, requiredValue: true },
  name: { type: 'text', requiredColumn: false, requiredValue: false },
  spec: { type: 'text', requiredColumn: false, requiredValue: false },
  unit: { type: 'text', requiredColumn: false, requiredValue: false },
  onHand: { type: 'quantity', requiredColumn: true, requiredValue: true },
  warehouse: { type: 'text', requiredColumn: false, requiredValue: false },
  lastInboundDate: { type: 'date', requiredColumn: false, requiredValue: false },
} as const satisfies Record<string, FieldDef>;

/** Open supply: one open purchase or production order line, what is still to come and when. */
export const SUPPLY_FIELDS = {
  materialCode: { type: 'code', requiredColumn: true, requiredValue: true },
  name: { type: 'text', requiredColumn: false, requiredValue: false },
  quantity: { type: 'quantity', requiredColumn: true, requiredValue: true },
  dueDate: { type: 'date', requiredColumn: true, requiredValue: true },
  reference: { type: 'code', requiredColumn: false, requiredValue: false, maxLength: 64 },
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

export const CUSTOMER_FIELDS = {
  name: { type: 'text', requiredColumn: true, requiredValue: true },
  aliases: { type: 'list', requiredColumn: false, requiredValue: false },
  contactName: { type: 'text', requiredColumn: false, requiredValue: false },
  contactPhone: { type: 'phone', requiredColumn: false, requiredValue: false },
  address: { type: 'text', requiredColumn: false, requiredValue: false },
  /** The customer's code in the ERP (U8 客户编码, Kingdee FNumber), for written-back sale orders. */
  erpCode: { type: 'code', requiredColumn: false, requiredValue: false, maxLength: 64 },
} as const satisfies Record<string, FieldDef>;

export const RANGE_FIELDS = {
  materialCode: { type: 'code', requiredColumn: true, requiredValue: true },
  param: { type: 'text', requiredColumn: true, requiredValue: true },
  minValue: { type: 'quantity', requiredColumn: true, requiredValue: false },
  maxValue: { type: 'quantity', requiredColumn: true, requiredValue: false },
  unit: { type: 'text', requiredColumn: false, requiredValue: false },
} as const satisfies Record<string, FieldDef>;

export const INSPECTION_FIELDS = {
  reportNo: { type: 'code', requiredColumn: true, requiredValue: true },
  materialCode: { type: 'code', requiredColumn: true, requiredValue: true },
  inspectedOn: { type: 'date', requiredColumn: true, requiredValue: true },
  passed: { type: 'flag', requiredColumn: true, requiredValue: true },
  summary: { type: 'text', requiredColumn: false, requiredValue: false },
} as const satisfies Record<string, FieldDef>;

export const FIELDS_BY_KIND = {
  stock: STOCK_FIELDS,
  materials: MATERIAL_FIELDS,
  customers: CUSTOMER_FIELDS,
  ranges: RANGE_FIELDS,
  inspections: INSPECTION_FIELDS,
  supply: SUPPLY_FIELDS,
} as const;

export type StockField = keyof typeof STOCK_FIELDS;
export type MaterialField = keyof typeof MATERIAL_FIELDS;
export type CustomerField = keyof typeof CUSTOMER_FIELDS;
export type RangeField = keyof typeof RANGE_FIELDS;
export type InspectionField = keyof typeof INSPECTION_FIELDS;
export type SupplyField = keyof typeof SUPPLY_FIELDS;

const aliases = z.array(z.string().trim().min(1)).min(1);

const mappingOf = <F extends string>(fields: Record<F, FieldDef>) =>
  z.object(Object.fromEntries(Object.keys(fields).map((f) => [f, aliases])) as Record<F, typeof aliases>);

export const StockMappingSchema = mappingOf(STOCK_FIELDS);
export const MaterialMappingSchema = mappingOf(MATERIAL_FIELDS);
export const CustomerMappingSchema = mappingOf(CUSTOMER_FIELDS);
export const RangeMappingSchema = mappingOf(RANGE_FIELDS);
export const InspectionMappingSchema = mappingOf(INSPECTION_FIELDS);
export const SupplyMappingSchema = mappingOf(SUPPLY_FIELDS);

/** 存货编码 and its relatives: the material code in every kind that has one. */
const MATERIAL_CODE = [
  '存货编码',
  '物料编码',
  '存货代码',
  '物料代码',
  '料号',
  'Material code',
  'Item code',
  'Code',
  'Material',
];
const MATERIAL_NAME = ['存货名称', '物料名称', '品名', 'Material name', 'Item name', 'Name', 'Description'];
const SPEC = ['规格型号', '规格', '型号', 'Spec', 'Specification'];
const UNIT = ['主计量单位', '计量单位', '单位', 'Unit', 'UoM'];

/** Header aliases per field, in order of preference (the first alias found in a file wins). */
export const DEFAULT_COLUMN_MAPPING = {
  stock: {
    materialCode: MATERIAL_CODE,
    name: MATERIAL_NAME,
    spec: SPEC,
    unit: UNIT,
    onHand: [
      '现存数量',
      '结存数量',
      '现存量',
      '库存数量',
      '库存',
      'On hand',
      'Quantity on hand',
      'Qty on hand',
      'Stock',
    ],
    warehouse: ['仓库名称', '仓库', 'Warehouse'],
    lastInboundDate: ['最后入库日期', '最近入库日期', '入库日期', 'Last receipt date'],
  },
  materials: {
    materialCode: MATERIAL_CODE,
    name: MATERIAL_NAME,
    spec: SPEC,
    unit: UNIT,
    line: ['生产线', '产线', '线别', 'Production line', 'Line'],
    mould: ['模具号', '模具编号', '模具', 'Mould', 'Mold'],
    leadTimeDays: ['采购提前期', '提前期', '固定提前期', '生产周期', 'Lead time days', 'Lead time'],
  },
  customers: {
    name: ['客户名称', '客户全称', '单位名称', '公司名称', 'Customer name', 'Customer', 'Company'],
    aliases: ['别名', '简称', '客户简称', '别称', 'Aliases', 'Alias', 'Short name'],
    contactName: ['联系人', '联系人姓名', 'Contact name', 'Contact person', 'Contact'],
    contactPhone: ['电话', '手机', '联系电话', '手机号', '手机号码', '联系方式', 'Phone', 'Mobile', 'Tel', 'Telephone'],
    address: ['地址', '收货地址', '送货地址', '详细地址', '公司地址', 'Address'],
    erpCode: ['客户编码', 'ERP编码', 'ERP客户编码', 'Customer code', 'ERP code'],
  },
  ranges: {
    materialCode: MATERIAL_CODE,
    param: ['参数', '参数名称', '检验项目', '特性', 'Parameter', 'Param', 'Characteristic'],
    minValue: ['下限', '下限值', '最小值', 'Min', 'Minimum', 'Lower limit', 'LSL'],
    maxValue: ['上限', '上限值', '最大值', 'Max', 'Maximum', 'Upper limit', 'USL'],
    unit: ['单位', 'Unit'],
  },
  inspections: {
    reportNo: ['报告编号', '报告号', '检验报告编号', '检验单号', 'Report No.', 'Report No', 'Report number', 'Report'],
    materialCode: MATERIAL_CODE,
    inspectedOn: ['检验日期', '报告日期', '日期', 'Inspection date', 'Inspected on', 'Date'],
    passed: ['结果', '检验结果', '判定', '是否合格', '合格', 'Result', 'Passed', 'Pass', 'OK/NG'],
    summary: ['备注', '结论', '说明', '摘要', 'Summary', 'Remarks', 'Remark', 'Notes', 'Note'],
  },
  supply: {
    materialCode: MATERIAL_CODE,
    name: MATERIAL_NAME,
    quantity: [
      '未到货数量',
      '未入库数量',
      '在途数量',
      '未交数量',
      '数量',
      'Open quantity',
      'Open qty',
      'Quantity',
      'Qty',
    ],
    dueDate: [
      '预计到货日期',
      '计划到货日期',
      '交货日期',
      '到货日期',
      '预计完工日期',
      '完工日期',
      'Due date',
      'Delivery date',
      'Expected date',
    ],
    reference: [
      '单号',
      '订单号',
      '采购订单号',
      '生产订单号',
      '订单编号',
      'PO number',
      'PO',
      'Order number',
      'Order No.',
    ],
  },
} as const satisfies Record<ExportKind, Record<string, readonly string[]>>;

/** Columns of an inspections sheet that are neither a fixed field nor a measured parameter. */
export const DEFAULT_INSPECTION_OTHER_COLUMNS = [
  ...MATERIAL_NAME,
  ...SPEC,
  ...UNIT,
  '检验员',
  '检验人',
  '质检员',
  '批号',
  '批次',
  '数量',
  '送检数量',
  '抽样数量',
  '客户',
  '客户名称',
  '供应商',
  '序号',
  '工序',
  '班次',
  'Inspector',
  'Batch',
  'Lot',
  'Qty',
  'Quantity',
  'Customer',
  'Supplier',
  'No.',
  '#',
] as const;

/**
 * A plant's mapping. Each kind may be given partially in config: missing fields fall back to the
 * default aliases, so a plant only lists what differs ("onHand: [期末数量]"). `inspectionOtherColumns`
 * adds to the default list of columns that are not parameters. A config written before the kinds
 * customers, ranges, inspections and supply existed still loads.
 */
export const ColumnMappingSchema = z
  .object({
    stock: StockMappingSchema.partial().default({}),
    materials: MaterialMappingSchema.partial().default({}),
    customers: CustomerMappingSchema.partial().default({}),
    ranges: RangeMappingSchema.partial().default({}),
    inspections: InspectionMappingSchema.partial().default({}),
    supply: SupplyMappingSchema.partial().default({}),
    inspectionOtherColumns: z.array(z.string().trim().min(1)).default([]),
  })
  .transform((m) => ({
    stock: { ...cloneAliases(DEFAULT_COLUMN_MAPPING.stock), ...m.stock },
    materials: { ...cloneAliases(DEFAULT_COLUMN_MAPPING.materials), ...m.materials },
    customers: { ...cloneAliases(DEFAULT_COLUMN_MAPPING.customers), ...m.customers },
    ranges: { ...cloneAliases(DEFAULT_COLUMN_MAPPING.ranges), ...m.ranges },
    inspections: { ...cloneAliases(DEFAULT_COLUMN_MAPPING.inspections), ...m.inspections },
    supply: { ...cloneAliases(DEFAULT_COLUMN_MAPPING.supply), ...m.supply },
    inspectionOtherColumns: [...DEFAULT_INSPECTION_OTHER_COLUMNS, ...m.inspectionOtherColumns],
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

/**
 * The kind a file's name announces (customers.xlsx, 客户资料.csv, inspections-2026-W08.xlsx,
 * 检验记录.xls …), or null: then its headers tell.
 */
export function kindOfFileName(name: string): ExportKind | null {
  const n = name.trim().toLowerCase();
  for (const [kind, prefixes] of FILE_PREFIXES) if (prefixes.some((p) => n.startsWith(p))) return kind;
  return null;
}

const FILE_PREFIXES: Array<[ExportKind, string[]]> = [
  ['customers', ['customer', '客户']],
  ['materials', ['material', '物料', '存货档案']],
  ['ranges', ['range', '合格范围']],
  ['inspections', ['inspection', '检验']],
  ['stock', ['stock', '库存', '现存量']],
  ['supply', ['supply', '在途', '采购在途', '采购订单', '生产订单']],
];
