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
  /** The date promised for this line (YYYY-MM-DD). */
  deliveryDate?: string;
  /** What the line's remark field gets (the customer's special requirements). */
  note?: string;
}

/** A sale order to write into the ERP; the customer and material codes must already exist there. */
export interface ErpSaleOrder {
  /** Our order number: written into the ERP order so that it can be looked up before any write. */
  reference: string;
  customerCode: string;
  departmentCode?: string;
  /** U8 销售类型 code; Kingdee 单据类型 (FBillTypeID). */
  typeCode?: string;
  /** The order date (YYYY-MM-DD). */
  date?: string;
  /** What the header's remark field gets (U8 memo, Kingdee FNote). */
  note?: string;
  lines: ErpSaleOrderLine[];
}

export interface ErpSaleOrderResult {
  /** The id the ERP gave the order. */
  id: string;
  /** The order's number in the ERP, as people there see it (U8 订单号, Kingdee FBillNo). */
  number: string;
  /** U8: the trade id of the write. */
  tradeId?: string;
}

/**
 * The one place the product reads the plant's ERP. Each fetch is all-or-nothing: on any failed page it
 * throws an ErpError instead of returning what it had.
 */
export interface ErpPort {
  readonly kind: 'u8' | 'kingdee';
  fetchMaterials(): Promise<ErpMaterial[]>;
  fetchStock(): Promise<ErpStock[]>;
  /**
   * Creates the sale order. Throws an ErpError; `outcomeUnknown` when the order may exist although no
   * answer said so: look it up before writing again.
   */
  writeBackSaleOrder?(order: ErpSaleOrder): Promise<ErpSaleOrderResult>;
  /** The sale order carrying our order number, or null when the ERP has none. */
  findSaleOrder?(reference: string): Promise<ErpSaleOrderResult | null>;
}
