import type { Catalogue } from '../catalogue';
import type { ComplaintKind } from '../../domain/complaints/command';

const KIND: Record<ComplaintKind, string> = {
  packaging: 'packaging damage',
  dimension: 'dimension out of tolerance',
  surface: 'surface defect',
  late: 'late delivery',
  other: 'other',
};

export const risk: Catalogue['risk'] = {
  kind: (kind) => KIND[kind],
  complaintRecorded: (a) =>
    a.isReturn
      ? `Recorded a return on ${a.number}${a.returned === null ? '' : ` of ${a.returned} pcs`} (${KIND[a.kind]}).`
      : `Recorded a customer complaint on ${a.number} (${KIND[a.kind]}).`,
  complaintUnknownOrder: (number) => `No order ${number}; please check the number.`,
  complaintNotAllowed: (number) =>
    `Only sales, quality or an admin may record a customer complaint or return on ${number}.`,
};
