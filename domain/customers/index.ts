/** Customers: recognising the customers a message names (recognize.ts), reading a customer list (list.ts). */
export {
  buildCustomerIndex,
  type CustomerIndex,
  type CustomerMatch,
  type CustomerName,
  recognizeCustomers,
} from './recognize';
export { type CustomerListResult, parseCustomerList } from './list';
