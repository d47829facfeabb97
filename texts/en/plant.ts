import type { Catalogue } from '../catalogue';
import { format } from './format';

export const plant: Catalogue['plant'] = {
  mouldRefused: 'Only production leads or the production director can update a mould.',
  unknownMould: (mould, known) =>
    known.length > 0
      ? `There is no mould ${mould}. Known moulds: ${known.join(', ')}`
      : `There is no mould ${mould}; no moulds are set up yet.`,
  mouldUpdated(a) {
    if (a.status === 'ok') return `Updated: mould ${a.mould} back in service`;
    const word = a.status === 'repair' ? 'in repair' : 'under maintenance';
    return a.availableFrom
      ? `Updated: mould ${a.mould} ${word} until ${format.date(a.availableFrom, a.today)}`
      : `Updated: mould ${a.mould} ${word}, end date unknown (when known, send: mould ${a.mould} ${word} until 3/2)`;
  },

  erpSyncFailed: (erp, error) => `⚠️ ERP (${erp}) sync failed; stock and materials stay as last synced: ${error}`,
  excelImportFailed: (file, error) => `⚠️ Excel export ${file} could not be imported; the earlier data stays: ${error}`,
  dingtalkCardTemplate: (templateId, problem) =>
    problem === 'unpublished'
      ? `⚠️ DingTalk card template ${templateId} is not published, so approval cards cannot be sent. Publish it in the DingTalk card platform; cards refused before that are not sent later.`
      : `⚠️ DingTalk has no card template ${templateId}, so approval cards cannot be sent. Set DINGTALK_CARD_TEMPLATE_ID to a published template of this app (ending in .schema), or remove it to send message cards, then restart.`,
  dingtalkCardUndelivered: (title, to, error) =>
    `⚠️ DingTalk card "${title}" could not be delivered to ${to}: ${error}. Check that they are in the organisation and can see the robot, then follow up with them.`,
};
