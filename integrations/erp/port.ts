/** A material (物料 / 存货) as the ERP's master data has it. Codes are kept exactly as the ERP spells them. */
export interface ErpMaterial {
  code: string;
  name: string;
  spec?: string;
  unit?: string;
  leadTimeDays?: number;
}

/** On-hand stock of one material, per warehouse when the ERP reports one. */
export interface ErpStock {
  materialCode: string;
  warehouse?: string;
  onHand: number;
}

export interface ErpSaleOrderLine {
  materialCode: string;
  quantity: number;
}

/** A sales order to write into U8; the codes must already exist there. */
export interface ErpSaleOrder {
  /** Our own order id, used as the caller key so a repeated write is recognisable. */
  reference: string;
  customerCode: string;
  departmentCode?: string;
  /** 销售类型 code. */
  typeCode?: string;
  date?: string;
  lines: ErpSaleOrderLine[];
}

export interface ErpSaleOrderResult {
  /** The id U8 gave the order. */
  id: string;
  tradeId: string;
}

/**
 * The one place the product reads the plant's ERP. Each fetch is all-or-nothing: on any failed page it
 * throws an ErpError instead of returning what it had.
 */
export interface ErpPort {
  readonly kind: 'u8' | 'kingdee';
  fetchMaterials(): Promise<ErpMaterial[]>;
  fetchStock(): Promise<ErpStock[]>;
  writeBackSaleOrder?(order: ErpSaleOrder): Promise<ErpSaleOrderResult>;
}
