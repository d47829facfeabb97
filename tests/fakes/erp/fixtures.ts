/** Material codes with leading zeros (001 … n), so a test can see them survive as strings. */
export const materialCodes = (n: number): string[] =>
  Array.from({ length: n }, (_, i) => String(i + 1).padStart(3, '0'));

const quantity = (code: string, warehouse: number) => (Number(code) * 7 + warehouse * 3) % 500;

/** U8 rows: inventory master and current stock (two warehouses for every third material), numbers as strings. */
export function u8Rows(n: number): { inventory: Record<string, unknown>[]; currentstock: Record<string, unknown>[] } {
  const codes = materialCodes(n);
  return {
    inventory: codes.map((code) => ({
      code,
      name: `轴承 ${code}`,
      specs: `6${code}-2RS`,
      main_measure: '件',
      fixedleadtime: '7',
      sort_code: '01',
    })),
    currentstock: codes.flatMap((code, i) =>
      (i % 3 === 0 ? ['01', '02'] : ['01']).map((whcode, w) => ({
        whcode,
        whname: w === 0 ? '成品库' : '半成品库',
        invcode: code,
        invname: `轴承 ${code}`,
        iquantity: `${quantity(code, w)}.000000`,
      })),
    ),
  };
}

/** Kingdee rows keyed by field key for BD_MATERIAL and STK_Inventory. */
export function kingdeeForms(n: number): Record<string, Record<string, unknown>[]> {
  const codes = materialCodes(n);
  return {
    BD_MATERIAL: codes.map((code) => ({
      FMaterialId: 100000 + Number(code),
      FNumber: code,
      FName: `法兰 ${code}`,
      FSpecification: `DN${code}`,
      'FBaseUnitId.FName': '套',
      FFixLeadTime: 5,
    })),
    STK_Inventory: codes.flatMap((code, i) =>
      (i % 3 === 0 ? ['CK01', 'CK02'] : ['CK01']).map((stock, w) => ({
        'FMaterialId.FNumber': code,
        'FStockId.FNumber': stock,
        FBaseQty: quantity(code, w) + 0.5,
      })),
    ),
  };
}
