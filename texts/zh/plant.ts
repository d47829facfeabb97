import { format } from './format';

/** Moulds reported in the chat, and plant data that could not be read. */
export const plant = {
  mouldRefused: '只有生产部主管或生产总监可以更新模具状态。',
  unknownMould: (mould: string, known: string[]): string =>
    known.length > 0 ? `没有模具${mould}。已知模具：${known.join('、')}` : `没有模具${mould}，系统里还没有任何模具。`,
  mouldUpdated(a: {
    mould: string;
    status: 'ok' | 'repair' | 'maintenance';
    availableFrom: string | null;
    today: string;
  }) {
    if (a.status === 'ok') return `已更新：模具${a.mould} 恢复使用`;
    const word = a.status === 'repair' ? '维修' : '保养';
    return a.availableFrom
      ? `已更新：模具${a.mould} ${word}至${format.date(a.availableFrom, a.today)}`
      : `已更新：模具${a.mould} ${word}中，结束日期未定（知道后请发：${a.mould} ${word}至3/2）`;
  },

  /** To the ops conversation. */
  erpSyncFailed: (erp: string, error: string): string =>
    `⚠️ ERP（${erp}）同步失败，库存和物料仍是上次同步的数据：${error}`,
  excelImportFailed: (file: string, error: string): string =>
    `⚠️ Excel 导出文件 ${file} 无法导入，沿用之前的数据：${error}`,
};
