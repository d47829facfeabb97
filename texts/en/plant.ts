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
};
