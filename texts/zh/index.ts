import { admin } from './admin';
import { erp } from './erp';
import { notices } from './notices';
import { repromise } from './repromise';
import { channels } from './channels';
import { reconcile } from './reconcile';
import { risk } from './risk';
import { prestock } from './prestock';
import { approvalFlow } from './approval-flow';
import { approvals } from './approvals';
import { board } from './board';
import { customers } from './customers';
import { format } from './format';
import { kpi } from './kpi';
import { latency } from './latency';
import { lifecycle } from './lifecycle';
import { orders } from './orders';
import { pending } from './pending';
import { plant } from './plant';
import { playground } from './playground';
import { promise } from './promise';
import { quota } from './quota';
import { sms } from './sms';
import { stages } from './stages';

/** The Chinese catalogue: the message ids, and the words. */
export const zh = {
  format,
  stages,
  orders,
  customers,
  approvals,
  approvalFlow,
  pending,
  promise,
  lifecycle,
  latency,
  plant,
  quota,
  kpi,
  sms,
  board,
  playground,
  admin,
  notices,
  erp,
  repromise,
  channels,
  reconcile,
  risk,
  prestock,
};
