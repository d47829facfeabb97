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
  dingtalkCardTemplate: (templateId: string, problem: 'not-found' | 'unpublished'): string =>
    problem === 'unpublished'
      ? `⚠️ 钉钉卡片模板 ${templateId} 还没有发布，审批卡发不出去。请在钉钉卡片平台发布该模板；发布前的审批卡不会补发。`
      : `⚠️ 钉钉里没有卡片模板 ${templateId}，审批卡发不出去。请把 DINGTALK_CARD_TEMPLATE_ID 设为本应用已发布的模板 ID（以 .schema 结尾），或删掉它改用消息卡片，然后重启。`,
  dingtalkCardUndelivered: (title: string, to: string, error: string): string =>
    `⚠️ 钉钉卡片「${title}」没能送到 ${to}：${error}。请确认此人在组织内、能看到机器人，然后请相关人员处理。`,
};
